import ArgumentParser
import Doppel

/// `doppel`: one subcommand per pipeline step; all state lives in the workspace folder.
struct DoppelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doppel",
        abstract: "Doppel: learn a generative model of a table and generate privacy-safe synthetic rows.",
        version: DoppelVersion.current,
        subcommands: [SplitCommand.self, AnalyzeCommand.self, EncodeCommand.self, TrainCommand.self, GenerateCommand.self, SynthesizeCommand.self, EvaluateCommand.self,
                      PredictCommand.self, LogProbCommand.self]
    )
}
