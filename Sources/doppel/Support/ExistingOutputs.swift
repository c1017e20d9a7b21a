import ArgumentParser
import Foundation

/// The command line's rule for output files: one that exists already is replaced only with
/// `--force` (the library steps refuse, whatever the flag, to write over their own inputs).
enum ExistingOutputs {
    static func refuse(_ paths: [String?], force: Bool) throws {
        guard !force else { return }
        for case let path? in paths where FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; pass --force to replace it")
        }
    }
}
