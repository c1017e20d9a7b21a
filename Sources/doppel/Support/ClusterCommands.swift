import Doppel
import DoppelParallel
import Foundation

/// A whole doppel command run as tasks on a Dask or Spark cluster (the split of an input file,
/// the parts of a generation): the connection, the progress line, the run, and the tasks'
/// summaries printed as this process's own. The task commands get absolute paths, since the
/// workers have other working directories (see ``absolutePath(_:)``).
struct ClusterCommands {
    let executor: Executor
    let progress: TerminalProgress
    /// The cluster, e.g. "Dask 2026.8.0 at tcp://…, 2 worker(s)".
    let engine: String

    /// Connects to the cluster of `configuration`.
    init(_ configuration: ExecutorConfiguration, quiet: Bool) throws {
        executor = Executor(configuration)
        progress = TerminalProgress(quiet: quiet)
        let executor = executor
        engine = try runReportingErrors { try executor.connectCluster() }
    }

    /// Runs `commands` (each labelled by `label` in errors) after saying `message`, and prints
    /// what each printed.
    func run(_ commands: [ClusterCommand], message: String, label: (Int) -> String) throws {
        progress.reporter.message("\(message) on \(engine)")
        let outputs = try runReportingErrors { try executor.runOnCluster(commands, label: label) }
        progress.finish()
        for output in outputs { print(output.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// `path` absolute, as a cluster's workers (which have other working directories) must see it.
func absolutePath(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

/// `--name value` for every pair with a value.
func optionArguments(_ pairs: [(String, String?)]) -> [String] {
    pairs.flatMap { name, value in value.map { [name, $0] } ?? [] }
}
