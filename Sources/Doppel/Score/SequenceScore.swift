import DoppelEncoding
import DoppelModel
import DoppelParallel
import DoppelTable
import Foundation

/// `doppel log-prob` on a sequential workspace: for every row of a context table (one subject
/// each) the log-likelihood of the subject under the trained models, in nats:
/// `log_prob_context` = ln p(context row) by the context table's model (columns in the context's
/// order, 0 for a key-only context), `log_prob_sequence` = ln p(events | context) by the
/// sequential model (``SequentialModel/logLikelihoods(_:maxSteps:workers:)``: each event's
/// columns in schema order, the number of events included), and `log_prob`, their sum.
///
/// The given tables are encoded exactly as `doppel encode` encodes training data: they are
/// written as the one partition of a scratch workspace that holds the trained workspace's keys
/// and statistics, and the encode step's own task encodes it (so sequences, positions and
/// datetime-relative columns come out as in training).
enum SequenceScore {
    static func run(_ options: ScoreOptions, contextPath: String, workspace: Workspace, progress: ProgressReporter) throws -> ScoreSummary {
        let inputs = try SequentialInputs.read(workspace)
        let (model, _) = try ModelFiles.readSequential(from: workspace.modelDataDirectory.path)
        guard model.architecture.target.schema == inputs.target else {
            throw PipelineError.workspace("the model in \(workspace.modelDataDirectory.path) was trained on other columns than the workspace's statistics describe; run `doppel train` again")
        }
        let contextKeys = try MetadataJSON.read(KeysFile.self, from: workspace.keysFile(.context))
        guard let primaryKey = contextKeys.primaryKey else { throw PipelineError.workspace("keys.json of the context names no primary key") }
        let targetStats = try Encode.readStats(workspace, .target), contextStats = try Encode.readStats(workspace, .context)
        let events = try typedTable(options.dataPath, role: "data", original: GenerateSequences.targetSchema(workspace), stats: targetStats, options: options)
        let context = try typedTable(contextPath, role: "context table", original: GenerateSequences.contextSchema(workspace),
                                     stats: contextStats, options: options)
        for entry in targetStats.columns where events.column(named: entry.name) == nil {
            throw PipelineError.invalidOption("\(options.dataPath): column '\(entry.name)' is missing (log-prob needs every modelled column)")
        }
        guard let keys = context.column(named: primaryKey) else {
            throw PipelineError.invalidOption("context table \(contextPath) has no primary-key column '\(primaryKey)'")
        }
        progress.message("encoding \(events.rowCount) events of \(context.rowCount) subjects")
        let data = try encoded(events: events, context: context, from: workspace, inputs: inputs, options: options)
        progress.message("scoring \(data.subjectCount) sequences")
        let workers = options.executor.threadWorkers
        let sequenceScores = try model.logLikelihoods(data, maxSteps: inputs.maxLength + 1, workers: workers)
        var contextScores = [Double](repeating: 0, count: data.subjectCount)
        if let schema = inputs.context {
            for entry in contextStats.columns where context.column(named: entry.name) == nil {
                throw PipelineError.invalidOption("\(contextPath): column '\(entry.name)' is missing (log-prob needs every modelled column)")
            }
            let contextModel = try TrainedFlatModel.readModel(in: workspace.contextModelDataDirectory.path, schema: schema, missing: "no context model",
                                                              remedy: "run `doppel train` again", stats: "ctx-stats")
            // The context codes of the scratch encoding: one row per subject, in the context table's order.
            let rows = try EncodedData(rowCount: data.subjectCount, subColumnCount: schema.subColumnCount, codes: data.contextCodes)
            contextScores = try contextModel.logLikelihoods(rows, workers: workers)
        }
        let table = try Table([(primaryKey, keys),
                               ("log_prob_context", .float64(PrimitiveColumn(values: Buffer(contextScores)))),
                               ("log_prob_sequence", .float64(PrimitiveColumn(values: Buffer(sequenceScores)))),
                               ("log_prob", .float64(PrimitiveColumn(values: Buffer(zip(contextScores, sequenceScores).map { $0 + $1 }))))])
        return try Scoring.write(table, options)
    }

    /// `path` read with the training data's column types.
    static func typedTable(_ path: String, role: String, original: Schema, stats: StatsFile, options: ScoreOptions) throws -> Table {
        try SeedConditions.load(path: path, read: options.read, original: original, stats: stats, schema: ModelInputs.schema(stats),
                                seed: 0, role: role, ignoring: Set(stats.columns.map(\.name))).table
    }

    /// The sequences of `events` per row of `context`, encoded by the encode step's task in a
    /// scratch workspace (removed afterwards), in the context table's row order.
    static func encoded(events: Table, context: Table, from workspace: Workspace, inputs: SequentialInputs,
                        options: ScoreOptions) throws -> SequenceData {
        let scratch = Workspace(path: FileManager.default.temporaryDirectory.appendingPathComponent("doppel-score-\(UUID().uuidString)").path)
        defer { try? FileManager.default.removeItem(at: scratch.root) }
        let file = "part-000000-\(Workspace.Side.training.rawValue).arrow"
        for (role, table) in [(Workspace.Role.target, events), (.context, context)] {
            try FileManager.default.createDirectory(at: scratch.dataDirectory(role), withIntermediateDirectories: true)
            try ArrowIPC.write(table, to: scratch.dataDirectory(role).appendingPathComponent(file).path)
            for (source, target) in [(workspace.keysFile(role), scratch.keysFile(role)), (workspace.statsFile(role), scratch.statsFile(role))] {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: source, to: target)
            }
        }
        try FileManager.default.createDirectory(at: scratch.encodedDataDirectory, withIntermediateDirectories: true)
        do {
            _ = try EncodePartitionTask(workspace: scratch.root.path, file: file, seed: 0, jobs: options.executor.threadWorkers).run()
        } catch {
            // The task names the scratch partition; say which files the problem is in.
            throw PipelineError.invalidOption("\(options.dataPath) with its context table: \(error)")
        }
        return try inputs.load(scratch, side: .training)
    }
}
