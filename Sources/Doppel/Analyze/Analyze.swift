import DoppelEncoding
import DoppelParallel
import Foundation
import DoppelFiles

/// The analyze step: mergeable partial statistics per partition file × column, merged in
/// partition order and finalized with value protection into `ModelStore/{tgt,ctx}-stats/stats.json`.
///
/// Partials hold unprotected values: they stay in memory (with the processes backend they only
/// cross the worker pipe) and never touch the workspace. Finalize draws its randomness from
/// streams keyed by seed, table and column, and partials are merged in a fixed order, so the
/// same seed gives byte-identical `stats.json` whatever the backend and the number of jobs.
public enum Analyze {
    public static func run(_ options: AnalyzeOptions, progress: ProgressReporter = .silent) throws -> AnalyzeSummary {
        if let epsilon = options.dpEpsilon {
            guard epsilon > 0, epsilon.isFinite else { throw PipelineError.invalidOption("--dp-epsilon must be a positive number, got \(epsilon)") }
            guard options.valueProtection else { throw PipelineError.invalidOption("--dp-epsilon needs --value-protection on") }
        }
        PipelineTasks.register()
        let workspace = Workspace(path: options.workspace)
        let lock = try WorkspaceLock.acquire(workspace, .exclusive, step: "analyze")
        defer { withExtendedLifetime(lock) {} }
        let stepInput = try StepRecords.begin(.analyze, workspace)
        let layout = try SplitLayout.load(workspace)
        let executor = Executor(options.executor)
        let budget = options.dpEpsilon.map {
            PrivacyBudget(total: $0, targetColumns: layout.target.columns.count, contextColumns: layout.context?.columns.count ?? 0)
        }

        // Records per side: subjects (context rows for sequential data, rows for flat data).
        var recordsPerFile: [Int] = []
        var rowsPerFile: [Int] = []
        for file in layout.files {
            let rows = try ArrowIPC.read(path: layout.path(.target, file)).rowCount
            rowsPerFile.append(rows)
            recordsPerFile.append(layout.isSequential ? try ArrowIPC.read(path: layout.path(.context, file)).rowCount : rows)
        }
        let training = zip(layout.files, recordsPerFile).filter { $0.0.hasSuffix("-trn.arrow") }.map(\.1).reduce(0, +)
        let validation = recordsPerFile.reduce(0, +) - training

        var sequenceLength: SequenceLengthStats?
        if layout.isSequential, let contextKey = layout.target.keys.contextKey, let pk = layout.context?.keys.primaryKey {
            progress.message("analyzing sequence lengths")
            let tasks = layout.files.map { SequenceLengthTask(workspace: options.workspace, file: $0, contextKey: contextKey, contextPrimaryKey: pk) }
            let partials = try executor.mapTask(PipelineTasks.analyzeSequenceLengths, descriptors: tasks,
                                                label: { "partition file \(tasks[$0].file), sequence lengths" }, as: SequenceLengthPartial.self)
            var merged = partials[0]
            for partial in partials.dropFirst() { merged.merge(partial) }
            let protection = ValueProtection(enabled: options.valueProtection, dpEpsilon: budget?.perTargetColumn)
            sequenceLength = merged.finalize(FinalizeContext(seed: options.seed, column: "__sequence_length", protection: protection, table: "tgt"))
        }

        let target = try analyzeTable(layout.target, layout: layout, options: options, executor: executor, progress: progress,
                                      rowsPerFile: rowsPerFile, epsilonPerColumn: budget?.perTargetColumn,
                                      records: (training, validation), sequenceLength: sequenceLength, epsilonSpent: budget?.target)
        var context: AnalyzeSummary.TableSummary?
        if let table = layout.context {
            context = try analyzeTable(table, layout: layout, options: options, executor: executor, progress: progress,
                                       rowsPerFile: recordsPerFile, epsilonPerColumn: budget?.perContextColumn,
                                       records: (training, validation), sequenceLength: nil, epsilonSpent: budget?.context)
        } else {
            // No context table: a previous run's context statistics must not survive.
            try? FileManager.default.removeItem(at: workspace.statsDirectory(.context))
        }
        let summary = AnalyzeSummary(target: target, context: context, partitionFiles: layout.files.count,
                              backend: executor.backend(for: .any).rawValue, jobs: executor.jobs)
        try StepRecords.complete(.analyze, workspace, input: stepInput)
        return summary
    }

    private static func analyzeTable(
        _ table: SplitLayout.Table, layout: SplitLayout, options: AnalyzeOptions, executor: Executor, progress: ProgressReporter,
        rowsPerFile: [Int], epsilonPerColumn: Double?, records: (Int, Int), sequenceLength: SequenceLengthStats?, epsilonSpent: Double?
    ) throws -> AnalyzeSummary.TableSummary {
        let role = table.role
        let columns = table.columns
        let subjectKey = layout.subjectKey(role)
        // Per file, the columns in groups (about 4 tasks per job and file, so a wide table reads
        // each file a few times, not once per column); tasks partition-major, groups in column
        // order, so the results come out file by file, column by column.
        let groupSize = max(1, (columns.count + 4 * executor.jobs - 1) / (4 * executor.jobs))
        var tasks: [AnalyzeColumnTask] = []
        var firstRow: Int64 = 0
        for (fileIndex, file) in layout.files.enumerated() {
            for first in stride(from: 0, to: columns.count, by: groupSize) {
                let group = columns[first..<min(columns.count, first + groupSize)]
                tasks.append(AnalyzeColumnTask(workspace: options.workspace, role: role.rawValue, file: file, columns: group.map(\.name),
                                               encodings: group.map(\.encoding.rawValue), subjectKey: subjectKey, firstRowID: firstRow))
            }
            firstRow += Int64(rowsPerFile[fileIndex])
        }

        // Run in batches so that progress can be reported; results stay in task order.
        var partials: [PartialStats] = []
        partials.reserveCapacity(columns.count * layout.files.count)
        let batch = max(1, 4 * (try executor.concurrentTasks()))
        var start = 0
        while start < tasks.count {
            let end = min(tasks.count, start + batch)
            let slice = Array(tasks[start..<end])
            progress.step("analyzing \(role.rawValue): \(slice[0].file), column '\(slice[0].columns.first ?? "")'", completed: partials.count,
                          total: columns.count * layout.files.count)
            partials += try executor.mapTask(PipelineTasks.analyzeColumn, descriptors: slice,
                                             label: { "\(role.rawValue) partition file \(slice[$0].file), columns '\(slice[$0].columns.first ?? "")'…'\(slice[$0].columns.last ?? "")'" },
                                             as: [PartialStats].self).flatMap { $0 }
            start = end
        }
        progress.step("analyzed \(role.rawValue): \(columns.count) column(s) × \(layout.files.count) partition file(s)", completed: partials.count, total: partials.count)

        // Merge in partition order and finalize, one column per task.
        let fileCount = layout.files.count
        let protection = ValueProtection(enabled: options.valueProtection, dpEpsilon: epsilonPerColumn)
        let seed = options.seed
        let partialsByTask = partials
        let finals = try executor.map(columns.count, label: { "\(role.rawValue) column '\(columns[$0].name)' (merge and finalize)" }) { c in
            var column = partialsByTask[c]
            for file in 1..<max(1, fileCount) { try column.merge(partialsByTask[file * columns.count + c], column: columns[c].name) }
            return try column.finalize(FinalizeContext(seed: seed, column: columns[c].name, protection: protection, table: role.rawValue))
        }

        let file = StatsFile(columns: zip(columns, finals).map { StatsFile.Entry(name: $0.name, stats: $1) },
                             sequenceLength: sequenceLength, trainingRecords: records.0, validationRecords: records.1,
                             valueProtectionEpsilonSpent: epsilonSpent)
        let workspace = layout.workspace
        try Workspace.resetDirectory(workspace.statsDirectory(role))
        var data = try file.jsonData()
        data.append(UInt8(ascii: "\n"))
        try AtomicFile.write(data, to: workspace.statsFile(role).path)
        return AnalyzeSummary.TableSummary(
            role: role, columns: zip(columns, finals).map { .init(name: $0.name, declared: $0.encoding, stats: $1) },
            trainingRecords: records.0, validationRecords: records.1, sequenceLength: sequenceLength, statsPath: workspace.statsFile(role).path)
    }
}
