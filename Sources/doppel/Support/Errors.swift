import ArgumentParser
import Doppel
import DoppelFiles
import Foundation

/// Runs a pipeline step; an error is printed as one clear line and the command exits with 1.
/// With `DOPPEL_PROGRESS=json` a JSON line with the error's kind comes first (``JSONProgress/error``),
/// so that programs driving the CLI need not guess it from the message.
func runReportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ValidationError {
        throw error
    } catch {
        if ProcessInfo.processInfo.environment["DOPPEL_PROGRESS"] == "json" {
            FileHandle.standardError.write(Data((JSONProgress.error(kind: errorKind(error), message: "\(error)") + "\n").utf8))
        }
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

/// `workspace` (a step missing, interrupted, stale or busy), `data` (an input file that cannot be
/// read: file, line, column), `option` (settings refused before any work) or `other`.
func errorKind(_ error: any Error) -> String {
    switch error {
    case PipelineError.workspace: "workspace"
    case PipelineError.invalidOption: "option"
    case is DataFileError: "data"
    default: "other"
    }
}
