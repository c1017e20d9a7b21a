import DoppelEncoding
import DoppelModel
import DoppelParallel
import DoppelTable
import Foundation

/// Generation for a sequential workspace, drawn by ``SequentialSampler`` and decoded into the
/// target table:
/// - default: one synthetic sequence per subject of the training context (the reference engine's
///   default); the context-key column refers to those subjects' keys;
/// - `rows: N`: N new subjects, their context drawn from the context model that `doppel train`
///   fitted (a flat model of the context table), written as the context table with fresh keys
///   1…N, which the target's context-key column refers to.
/// Not yet: a given context file, seeded events.
enum GenerateSequences {
    static func run(_ options: GenerateOptions, workspace: Workspace, progress: ProgressReporter) throws -> GenerateSummary {
        let start = Date()
        guard options.seedDataPath == nil else {
            throw PipelineError.invalidOption("--seed-data (seeded events) is not implemented yet for sequential data")
        }
        if let rows = options.rows, rows < 0 { throw PipelineError.invalidOption("--rows must be ≥ 0, got \(rows)") }
        if let maxLength = options.maxSequenceLength, maxLength < 0 {
            throw PipelineError.invalidOption("--max-sequence-length must be ≥ 0, got \(maxLength)")
        }
        let inputs = try SequentialInputs.read(workspace)
        let directory = workspace.modelDataDirectory.path
        guard FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(ModelFiles.modelFileName)) else {
            throw PipelineError.workspace("no trained model in \(directory); run `doppel train` first")
        }
        progress.message("loading the sequential model")
        let (model, _) = try ModelFiles.readSequential(from: directory)
        guard model.architecture.target.schema == inputs.target else {
            throw PipelineError.workspace("the model in \(directory) was trained on other columns than the workspace's statistics describe; run `doppel train` again")
        }
        let keys = try MetadataJSON.read(KeysFile.self, from: workspace.keysFile(.target))
        let contextKeys = try MetadataJSON.read(KeysFile.self, from: workspace.keysFile(.context))
        guard let contextKey = keys.contextKey, let contextPrimaryKey = contextKeys.primaryKey else {
            throw PipelineError.workspace("keys.json of the target or the context names no key; run `doppel split` again")
        }
        var sampling = SamplingOptions(temperature: options.temperature, topP: options.topP, seed: options.seed)
        sampling.workers = options.executor.threadWorkers
        let targetStats = try Encode.readStats(workspace, .target)
        if options.rareCategoryReplacement == .sample {
            let offset = inputs.positional.all.count
            sampling.suppressedCodes = Dictionary(uniqueKeysWithValues: Generate.rareCodes(targetStats, ModelInputs.schema(targetStats))
                .map { ($0.key + offset, $0.value) })
        }
        let subjectCount: Int, contextCodes: [Int32], subjectKeys: Column
        var contextSummary: (path: String, rows: Int)? = nil
        if let rows = options.rows {
            let context = try generateContext(rows: rows, inputs: inputs, workspace: workspace, primaryKey: contextPrimaryKey,
                                              sampling: sampling, progress: progress)
            try Generate.createParent(of: options.contextOutputPath)
            try DataFiles.write(context.table, to: options.contextOutputPath)
            contextSummary = (options.contextOutputPath, rows)
            subjectCount = rows
            contextCodes = context.codes
            subjectKeys = try targetKeyColumn(workspace, contextKey: contextKey, rows: rows)
        } else {
            let subjects = try inputs.loadContextCodes(workspace, side: .training)
            subjectCount = subjects.subjects
            contextCodes = subjects.codes
            subjectKeys = try trainingContextKeys(workspace, column: contextPrimaryKey, expected: subjects.subjects)
        }
        progress.message("generating \(subjectCount) sequences")
        let generated = try SequentialSampler.generate(model: model, subjects: subjectCount, contextCodes: contextCodes,
                                                       maxLength: min(options.maxSequenceLength ?? inputs.maxLength, inputs.maxLength),
                                                       options: sampling)
        let table = try decode(generated, inputs: inputs, stats: targetStats, workspace: workspace, primaryKey: keys.primaryKey,
                               contextKey: contextKey, subjectKeys: subjectKeys, seed: options.seed)
        try Generate.createParent(of: options.outputPath)
        try DataFiles.write(table, to: options.outputPath)
        var summary = GenerateSummary(rows: table.rowCount, columns: table.schema.names, seededColumns: [], primaryKey: keys.primaryKey,
                                      outputPath: options.outputPath, elapsedSeconds: Date().timeIntervalSince(start))
        summary.contextOutputPath = contextSummary?.path
        summary.contextRows = contextSummary?.rows
        return summary
    }

    /// `rows` new subjects: codes drawn by the context model (none for a key-only context) and the
    /// decoded context table with keys 1…rows.
    static func generateContext(rows: Int, inputs: SequentialInputs, workspace: Workspace, primaryKey: String, sampling: SamplingOptions,
                                progress: ProgressReporter) throws -> (codes: [Int32], table: Table) {
        guard let firstPartition = try workspace.partitionFiles(.context).first else {
            throw PipelineError.workspace("no context partition files in \(workspace.dataDirectory(.context).path); run `doppel split` first")
        }
        let original = try ArrowIPC.read(path: firstPartition.path).schema
        guard let schema = inputs.context else {
            let type = original.fields.first { $0.name == primaryKey }?.type ?? .int64
            return ([], try Table([(primaryKey, SyntheticTable.keyColumn(rows: rows, first: 1, type: type))]))
        }
        let directory = workspace.contextModelDataDirectory.path
        guard FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(ModelFiles.modelFileName)) else {
            throw PipelineError.workspace("no context model in \(directory); run `doppel train` again to generate new subjects with --rows")
        }
        let (model, _) = try ModelFiles.read(from: directory)
        guard model.schema == schema else {
            throw PipelineError.workspace("the context model in \(directory) was trained on other columns than ctx-stats/stats.json describes; run `doppel train` again")
        }
        var contextSampling = sampling
        contextSampling.suppressedCodes = [:]
        var stream = SeededRandom.stream(seed: sampling.seed, [SeededRandom.identifier("generate-context")])
        contextSampling.seed = stream.next()
        progress.message("generating \(rows) subjects of the context")
        let codes = try Sampler.generate(model: model, rows: rows, options: contextSampling)
        let stats = try Encode.readStats(workspace, .context)
        let table = try SyntheticTable.assemble(codes: codes, stats: stats, schema: schema, original: original, primaryKey: primaryKey,
                                                seed: nil, randomSeed: contextSampling.seed, executor: Executor.current)
        return (codes.codes, table)
    }

    /// Keys 1…rows in the type of the target's context-key column.
    static func targetKeyColumn(_ workspace: Workspace, contextKey: String, rows: Int) throws -> Column {
        guard let firstPartition = try workspace.partitionFiles(.target).first else {
            throw PipelineError.workspace("no partition files in \(workspace.dataDirectory(.target).path); run `doppel split` first")
        }
        let type = try ArrowIPC.read(path: firstPartition.path).schema.fields.first { $0.name == contextKey }?.type ?? .int64
        return SyntheticTable.keyColumn(rows: rows, first: 1, type: type)
    }

    /// The events as the target table: modelled columns decoded (per subject, for
    /// datetime-relative columns), the context key of each event's subject, a fresh primary key.
    static func decode(_ generated: SequenceData, inputs: SequentialInputs, stats: StatsFile, workspace: Workspace, primaryKey: String?,
                       contextKey: String, subjectKeys: Column, seed: UInt64) throws -> Table {
        let S = generated.subColumnCount, P = inputs.positional.all.count, width = S - P
        var codes: [Int32] = [], subjectOfEvent: [Int64] = [], eventSubjects: [Int] = []
        for s in 0..<generated.subjectCount {
            for i in 0..<generated.length(s) {
                let row = (generated.start[s] + i) * S
                codes += generated.codes[(row + P)..<(row + S)]
                subjectOfEvent.append(Int64(s))
                eventSubjects.append(s)
            }
        }
        let events = try EncodedData(rowCount: subjectOfEvent.count, subColumnCount: width, codes: codes)
        guard let firstPartition = try workspace.partitionFiles(.target).first else {
            throw PipelineError.workspace("no partition files in \(workspace.dataDirectory(.target).path); run `doppel split` first")
        }
        let original = try ArrowIPC.read(path: firstPartition.path).schema
        let decoded = try SyntheticTable.assemble(codes: events, stats: stats, schema: ModelInputs.schema(stats), original: original,
                                                  primaryKey: primaryKey, seed: nil, randomSeed: seed, executor: Executor.current,
                                                  subjects: .keys(Buffer(subjectOfEvent)))
        var byName: [String: Column] = [:]
        for (name, column) in zip(decoded.schema.names, decoded.columns) { byName[name] = column }
        byName[contextKey] = subjectKeys.take(eventSubjects)
        return try Table(original.names.compactMap { name in byName[name].map { (name, $0) } })
    }

    /// The primary keys of the training context rows, in the order the encoded subjects follow.
    static func trainingContextKeys(_ workspace: Workspace, column: String, expected: Int) throws -> Column {
        var parts: [Column] = []
        for file in try workspace.partitionFiles(.context) where file.lastPathComponent.hasSuffix("-\(Workspace.Side.training.rawValue).arrow") {
            guard let keys = try ArrowIPC.read(path: file.path).column(named: column) else {
                throw PipelineError.workspace("\(file.path) has no key column '\(column)'; run `doppel split` again")
            }
            parts.append(keys)
        }
        let keys = parts.isEmpty ? nil : Column.concatenate(parts)
        guard let keys, keys.count == expected else {
            throw PipelineError.workspace("the training context has \(keys?.count ?? 0) rows but the encoded data \(expected) subjects; run `doppel encode` again")
        }
        return keys
    }
}
