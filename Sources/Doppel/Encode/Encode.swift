import DoppelEncoding
import DoppelParallel
import Foundation

/// What `doppel encode` needs to know.
public struct EncodeOptions: Sendable {
    public var workspace: String
    /// Seed of the random imputation of missing values (encodings that fill them with a value).
    public var seed: UInt64 = 0
    public var executor: ExecutorConfiguration = .init()

    public init(workspace: String) { self.workspace = workspace }
}

/// What encode wrote, for the summary a user sees.
public struct EncodeSummary: Sendable {
    /// Sub-columns of the main encoded files (flat target, or context of sequential data).
    public var subColumns: [SubColumnSpec]
    /// Sub-columns of the sequences files (sequential data: positional first), else empty.
    public var sequenceSubColumns: [SubColumnSpec]
    public var files: Int
    public var rows: Int
    public var sequenceRows: Int
    public var directory: String
}

/// The encode step: the statistics of analyze turn every partition file into integer codes,
/// written to `OriginalData/encoded-data/` (layout in docs/workspace.md).
///
/// - Flat data: `part-NNNNNN-{trn,val}.arrow`, one row per record, one integer column per
///   sub-column (int8/16/32, the narrowest that holds its cardinality: ``CodeWidth``) `tgt:{column}__{sub}` in canonical order (columns in stats order).
/// - Sequential data: the same file holds one row per subject (`ctx:{column}__{sub}` and
///   `__sequence_start`), and `part-NNNNNN-{trn,val}.sequences.arrow` the padded target rows:
///   positional `tgt:/__{sidx,slen,ridx}_…` first, then `tgt:{column}__{sub}`.
///
/// Each file's schema metadata lists its sub-columns and cardinalities (``EncodedSchema``).
/// Random imputation uses streams keyed by seed, table, file and column: the same seed gives the
/// same bytes whatever the backend or the number of jobs.
public enum Encode {
    public static func run(_ options: EncodeOptions, progress: ProgressReporter = .silent) throws -> EncodeSummary {
        PipelineTasks.register()
        let workspace = Workspace(path: options.workspace)
        let lock = try WorkspaceLock.acquire(workspace, .exclusive, step: "encode")
        defer { withExtendedLifetime(lock) {} }
        let stepInput = try StepRecords.begin(.encode, workspace)
        let layout = try SplitLayout.load(workspace)
        _ = try readStats(workspace, .target)  // encode before analyze: a clear error here
        let contextStats = layout.isSequential ? try readStats(workspace, .context) : nil
        let executor = Executor(options.executor)
        try Workspace.resetDirectory(workspace.encodedDataDirectory)

        let tasks = layout.files.map { EncodePartitionTask(workspace: options.workspace, file: $0, seed: options.seed, jobs: options.executor.threadWorkers) }
        var results: [EncodePartitionTask.Result] = []
        // Few partition files: one file at a time, so that its columns use all the workers (a
        // task that runs alone may run parallel loops). Many files, or worker processes or a
        // cluster (whose tasks run their own loops inline): as many files at a time as run at once.
        let filesAtOnce = executor.backend(for: .any) == .processes || executor.runsOnCluster || tasks.count >= 2 * executor.jobs
        let batch = filesAtOnce ? max(1, try executor.concurrentTasks()) : 1
        var start = 0
        while start < tasks.count {
            let end = min(tasks.count, start + batch)
            let slice = Array(tasks[start..<end])
            progress.step("encoding \(slice[0].file)", completed: start, total: tasks.count)
            results += try executor.mapTask(PipelineTasks.encodePartition, descriptors: slice,
                                            label: { "encoding partition file \(slice[$0].file)" }, as: EncodePartitionTask.Result.self)
            start = end
        }
        progress.step("encoded \(tasks.count) partition file(s)", completed: tasks.count, total: tasks.count)

        let first = workspace.encodedDataDirectory.appendingPathComponent(layout.files[0]).path
        let subColumns = try EncodedSchema.subColumns(ofFile: first)
        let sequenceSubColumns = contextStats == nil ? [] : try EncodedSchema.subColumns(ofFile: sequencesFile(first))
        let summary = EncodeSummary(subColumns: subColumns, sequenceSubColumns: sequenceSubColumns, files: tasks.count,
                             rows: results.map(\.rows).reduce(0, +), sequenceRows: results.map(\.sequenceRows).reduce(0, +),
                             directory: workspace.encodedDataDirectory.path)
        try StepRecords.complete(.encode, workspace, input: stepInput)
        return summary
    }

    /// `part-NNNNNN-trn.sequences.arrow` beside `part-NNNNNN-trn.arrow`.
    public static func sequencesFile(_ path: String) -> String {
        (path.hasSuffix(".arrow") ? String(path.dropLast(6)) : path) + ".sequences.arrow"
    }

    /// The `stats.json` of `role`, or a clear error when analyze has not run.
    static func readStats(_ workspace: Workspace, _ role: Workspace.Role) throws -> StatsFile {
        let url = workspace.statsFile(role)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw PipelineError.workspace("no statistics at \(url.path); run `doppel analyze` first")
        }
        let stats = try StatsFile.decode(data, source: url.path)
        guard stats.trainingRecords >= 0, stats.validationRecords >= 0 else {
            throw PipelineError.workspace("\(url.path) counts \(stats.trainingRecords) training and \(stats.validationRecords) validation records; run `doppel analyze` again")
        }
        return stats
    }
}
