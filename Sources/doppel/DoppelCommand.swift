import ArgumentParser
import Doppel

struct DoppelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "doppel", abstract: "Synthetic tabular data engine.", version: "0.1.0")
}
