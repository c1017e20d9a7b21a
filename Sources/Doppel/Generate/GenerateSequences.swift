import DoppelEncoding
import DoppelModel
import DoppelParallel
import DoppelTable
import Foundation

/// Generation for a sequential workspace, drawn by ``SequentialSampler`` and decoded into the
/// target table. The subjects:
/// - default: one synthetic sequence per subject of the context the model was trained on, its
///   training and validation parts (the reference engine's default); the context-key column
///   refers to those subjects' keys;
/// - `rows: N`: N new subjects, their context drawn from the context model that `doppel train`
///   fitted (a flat model of the context table), written as the context table with fresh keys
///   1…N, which the target's context-key column refers to;
/// - `contextDataPath`: one sequence per row of a given context table (conditional generation),
///   keyed by its primary-key column; context columns it lacks are drawn by the context model
///   given the ones it has, and the completed context table is written.
/// Seed data (`seedDataPath`) holds the context key and some target columns: the rows of a subject,
/// in file order, fix those columns of its first events (``SeededEvents``); the other columns are
/// generated given them, and the seeded values come back verbatim.
enum GenerateSequences {
    /// The subjects to generate sequences for: their context codes `[count, S_ctx]`, their keys,
    /// and the context table written alongside, if any.
    struct Subjects {
        var count: Int
        var contextCodes: [Int32]
        var keys: Column
        var written: (path: String, rows: Int)? = nil
    }

    static func run(_ options: GenerateOptions, workspace: Workspace, progress: ProgressReporter) throws -> GenerateSummary {
        let start = Date()
        if options.rows != nil || options.contextDataPath != nil {
            try OutputPaths.refuseOverwriting(options.contextOutputPath, option: "--context-output",
                                              inputs: [options.seedDataPath, options.contextDataPath, options.outputPath], workspace: workspace)
        }
        if options.rows != nil && options.contextDataPath != nil {
            throw PipelineError.invalidOption("--rows and --context exclude each other: with a context table, one sequence is generated per context row")
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
        sampling.batchSize = options.samplingBatchSize
        let targetStats = try Encode.readStats(workspace, .target)
        if options.rareCategoryReplacement == .sample {
            let offset = inputs.positional.all.count
            sampling.suppressedCodes = Dictionary(uniqueKeysWithValues: Generate.rareCodes(targetStats, ModelInputs.schema(targetStats))
                .map { ($0.key + offset, $0.value) })
        }
        let subjects: Subjects
        if let rows = options.rows {
            subjects = try newSubjects(rows: rows, options: options, inputs: inputs, workspace: workspace, primaryKey: contextPrimaryKey,
                                       contextKey: contextKey, sampling: sampling, progress: progress)
        } else if let path = options.contextDataPath {
            subjects = try givenSubjects(path: path, options: options, inputs: inputs, workspace: workspace, primaryKey: contextPrimaryKey,
                                         sampling: sampling, progress: progress)
        } else {
            subjects = try trainingSubjects(workspace, inputs: inputs, primaryKey: contextPrimaryKey)
        }
        let original = try targetSchema(workspace)
        let maxLength = min(options.maxSequenceLength ?? inputs.maxLength, inputs.maxLength)
        let seeds = try options.seedDataPath.map {
            try SequenceSeeds.load(path: $0, read: options.seedRead, original: original, stats: targetStats, inputs: inputs,
                                   contextKey: contextKey, primaryKey: keys.primaryKey, subjectKeys: subjects.keys, maxLength: maxLength,
                                   seed: options.seed)
        }
        progress.message("generating \(subjects.count) sequences")
        let (written, columns) = try writeSequences(subjects, seeds: seeds, model: model, sampling: sampling, maxLength: maxLength, inputs: inputs,
                                                    stats: targetStats, original: original, primaryKey: keys.primaryKey, contextKey: contextKey,
                                                    options: options, progress: progress)
        var summary = GenerateSummary(rows: written, columns: columns, seededColumns: seeds?.columns ?? [],
                                      primaryKey: keys.primaryKey, outputPath: options.outputPath, elapsedSeconds: Date().timeIntervalSince(start))
        summary.contextOutputPath = subjects.written?.path
        summary.contextRows = subjects.written?.rows
        return summary
    }

    /// Generates, decodes and writes the subjects' sequences chunk by chunk (whole sampler
    /// batches, whose random streams are numbered across chunks, so the sequences equal one
    /// call's), so memory does not grow with the number of subjects. Returns the rows written and
    /// the output's columns.
    static func writeSequences(_ subjects: Subjects, seeds: SequenceSeeds?, model: SequentialModel, sampling: SamplingOptions, maxLength: Int,
                               inputs: SequentialInputs, stats: StatsFile, original: Schema, primaryKey: String?, contextKey: String,
                               options: GenerateOptions, progress: ProgressReporter) throws -> (rows: Int, columns: [String]) {
        let batch = SequentialSampler.batchSize(sampling)
        let chunk = max(1, options.chunkSubjects / batch) * batch
        let Sc = inputs.context?.subColumnCount ?? 0
        // A part (MPI rank, cluster task) generates only its block of the chunks (a whole run: all).
        let owned = options.part.block(of: (subjects.count + chunk - 1) / chunk)
        let end = min(subjects.count, owned.upperBound * chunk)
        var next = min(subjects.count, owned.lowerBound * chunk), written = 0, produced = false
        if options.part.count > 1, primaryKey != nil {
            throw PipelineError.invalidOption("generating sequential data in several parts (MPI ranks, cluster tasks) needs a target table without a primary key (a part cannot know how many rows the parts before it hold to number its keys); generate in one process")
        }
        let produce = { () throws -> Table? in
            guard next < end || !produced else { return nil }
            produced = true
            let range = next..<min(end, next + chunk)
            next = range.upperBound
            let chunkSeeds = seeds.map { $0.slice(range) }
            let generated = try SequentialSampler.generate(model: model, subjects: range.count,
                                                           contextCodes: Array(subjects.contextCodes[(range.lowerBound * Sc)..<(range.upperBound * Sc)]),
                                                           maxLength: maxLength, options: sampling, seeds: chunkSeeds?.events,
                                                           firstBatch: range.lowerBound / batch)
            var decodeStream = SeededRandom.stream(seed: options.seed, [SeededRandom.identifier("generate-chunk"), UInt64(range.lowerBound / chunk)])
            var table = try decode(generated, inputs: inputs, stats: stats, original: original, primaryKey: primaryKey,
                                   contextKey: contextKey, subjectKeys: subjects.keys.slice(range),
                                   seed: range.lowerBound == 0 ? options.seed : decodeStream.next(), firstKey: written + 1)
            if let chunkSeeds { table = try chunkSeeds.overwrite(table, generated: generated) }
            written += table.rowCount
            if subjects.count > chunk { progress.step("generating", completed: range.upperBound, total: subjects.count) }
            return table
        }
        try Generate.createParent(of: options.outputPath)
        let first = try produce() ?? Table(emptyWithRowCount: 0)
        var pending: Table? = first
        try DataFiles.write(schema: first.schema, to: options.outputPath) {
            if let table = pending { pending = nil; return table }
            return try produce()
        }
        return (written, first.schema.names)
    }

    /// `rows` new subjects with generated context, written to the context output.
    static func newSubjects(rows: Int, options: GenerateOptions, inputs: SequentialInputs, workspace: Workspace, primaryKey: String,
                            contextKey: String, sampling: SamplingOptions, progress: ProgressReporter) throws -> Subjects {
        let context = try generateContext(rows: rows, inputs: inputs, workspace: workspace, primaryKey: primaryKey,
                                          sampling: sampling, progress: progress)
        if options.part.isFirst {
            try Generate.createParent(of: options.contextOutputPath)
            try DataFiles.write(context.table, to: options.contextOutputPath)
        }
        return Subjects(count: rows, contextCodes: context.codes, keys: try targetKeyColumn(workspace, contextKey: contextKey, rows: rows),
                        written: options.part.isFirst ? (options.contextOutputPath, rows) : nil)
    }

    /// One subject per row of the context table at `path`, keyed by its primary-key column. Its
    /// modelled columns are encoded with the context statistics; columns it lacks are drawn by the
    /// context model given the others, and then the completed table goes to the context output.
    static func givenSubjects(path: String, options: GenerateOptions, inputs: SequentialInputs, workspace: Workspace, primaryKey: String,
                              sampling: SamplingOptions, progress: ProgressReporter) throws -> Subjects {
        let original = try contextSchema(workspace)
        guard let schema = inputs.context else {
            let table = try DataFiles.read(path: path, options: options.seedRead)
            guard let keys = table.column(named: primaryKey) else {
                throw PipelineError.invalidOption("context table \(path) has no primary-key column '\(primaryKey)'")
            }
            return Subjects(count: table.rowCount, contextCodes: [], keys: keys)
        }
        let stats = try Encode.readStats(workspace, .context)
        let given = try SeedConditions.load(path: path, read: options.seedRead, original: original, stats: stats, schema: schema,
                                            seed: options.seed, role: "context table")
        guard let keys = given.table.column(named: primaryKey) else {
            throw PipelineError.invalidOption("context table \(path) has no primary-key column '\(primaryKey)'")
        }
        guard given.fixed.codes.contains(FixedCodes.free) else {
            return Subjects(count: given.table.rowCount, contextCodes: given.fixed.codes, keys: keys)
        }
        let directory = workspace.contextModelDataDirectory.path
        let (model, _) = try ModelFiles.read(from: directory)
        guard model.schema == schema else {
            throw PipelineError.workspace("the context model in \(directory) was trained on other columns than ctx-stats/stats.json describes; run `doppel train` again")
        }
        var contextSampling = sampling
        contextSampling.suppressedCodes = [:]
        contextSampling.fixed = given.fixed
        var stream = SeededRandom.stream(seed: sampling.seed, [SeededRandom.identifier("generate-context")])
        contextSampling.seed = stream.next()
        progress.message("completing \(given.table.rowCount) rows of the context")
        let codes = try Sampler.generate(model: model, rows: given.table.rowCount, options: contextSampling)
        let table = try SyntheticTable.assemble(codes: codes, stats: stats, schema: schema, original: original, primaryKey: nil,
                                                seed: given, randomSeed: contextSampling.seed, executor: Executor.current)
        if options.part.isFirst {
            try Generate.createParent(of: options.contextOutputPath)
            try DataFiles.write(table, to: options.contextOutputPath)
        }
        return Subjects(count: table.rowCount, contextCodes: codes.codes, keys: keys, written: options.part.isFirst ? (options.contextOutputPath, table.rowCount) : nil)
    }

    /// The schema of the context table as split stored it.
    static func contextSchema(_ workspace: Workspace) throws -> Schema {
        guard let firstPartition = try workspace.partitionFiles(.context).first else {
            throw PipelineError.workspace("no context partition files in \(workspace.dataDirectory(.context).path); run `doppel split` first")
        }
        return try ArrowIPC.read(path: firstPartition.path).schema
    }

    /// The schema of the target table as split stored it.
    static func targetSchema(_ workspace: Workspace) throws -> Schema {
        guard let firstPartition = try workspace.partitionFiles(.target).first else {
            throw PipelineError.workspace("no partition files in \(workspace.dataDirectory(.target).path); run `doppel split` first")
        }
        return try ArrowIPC.read(path: firstPartition.path).schema
    }

    /// `rows` new subjects: codes drawn by the context model (none for a key-only context) and the
    /// decoded context table with keys 1…rows.
    static func generateContext(rows: Int, inputs: SequentialInputs, workspace: Workspace, primaryKey: String, sampling: SamplingOptions,
                                progress: ProgressReporter) throws -> (codes: [Int32], table: Table) {
        let original = try contextSchema(workspace)
        guard let schema = inputs.context else {
            let type = original.fields.first { $0.name == primaryKey }?.type ?? .int64
            return ([], try Table([(primaryKey, SyntheticTable.keyColumn(rows: rows, first: 1, type: type))]))
        }
        let model = try TrainedFlatModel.readModel(in: workspace.contextModelDataDirectory.path, schema: schema, missing: "no context model",
                                                   remedy: "run `doppel train` again to generate new subjects with --rows", stats: "ctx-stats")
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
        let type = try targetSchema(workspace).fields.first { $0.name == contextKey }?.type ?? .int64
        return SyntheticTable.keyColumn(rows: rows, first: 1, type: type)
    }

    /// The events as the target table: modelled columns decoded (per subject, for
    /// datetime-relative columns), the context key of each event's subject, a fresh primary key.
    static func decode(_ generated: SequenceData, inputs: SequentialInputs, stats: StatsFile, original: Schema, primaryKey: String?,
                       contextKey: String, subjectKeys: Column, seed: UInt64, firstKey: Int = 1) throws -> Table {
        let S = generated.subColumnCount, P = inputs.positional.all.count, width = S - P
        var codes: [Int32] = [], subjectOfEvent: [Int64] = [], eventSubjects: [Int] = []
        for s in 0..<generated.subjectCount {
            for i in 0..<generated.length(s) {
                for j in P..<S { codes.append(generated.code(subject: s, event: i, subColumn: j)) }
                subjectOfEvent.append(Int64(s))
                eventSubjects.append(s)
            }
        }
        let events = try EncodedData(rowCount: subjectOfEvent.count, subColumnCount: width, codes: codes)
        let decoded = try SyntheticTable.assemble(codes: events, stats: stats, schema: ModelInputs.schema(stats), original: original,
                                                  primaryKey: primaryKey, seed: nil, randomSeed: seed, firstKey: firstKey, executor: Executor.current,
                                                  subjects: .keys(Buffer(subjectOfEvent)))
        var byName: [String: Column] = [:]
        for (name, column) in zip(decoded.schema.names, decoded.columns) { byName[name] = column }
        byName[contextKey] = subjectKeys.take(eventSubjects)
        return try Table(original.names.compactMap { name in byName[name].map { (name, $0) } })
    }

    /// Every subject of the context table the model was trained on, training and validation
    /// partitions (as the reference engine, whose default is the whole training context).
    static func trainingSubjects(_ workspace: Workspace, inputs: SequentialInputs, primaryKey: String) throws -> Subjects {
        let hasValidation = (try? ModelInputs.partitionFiles(workspace, side: .validation)) != nil
        var count = 0, codes: [Int32] = [], keys: [Column] = []
        for side in hasValidation ? [Workspace.Side.training, .validation] : [.training] {
            let part = try inputs.loadContextCodes(workspace, side: side)
            count += part.subjects
            codes += part.codes
            keys.append(try contextKeys(workspace, side: side, column: primaryKey, expected: part.subjects))
        }
        return Subjects(count: count, contextCodes: codes, keys: Column.concatenate(keys))
    }

    /// The primary keys of the context rows of `side`, in the order the encoded subjects follow.
    static func contextKeys(_ workspace: Workspace, side: Workspace.Side, column: String, expected: Int) throws -> Column {
        var parts: [Column] = []
        for file in try workspace.partitionFiles(.context) where file.lastPathComponent.hasSuffix("-\(side.rawValue).arrow") {
            guard let keys = try ArrowIPC.read(path: file.path).column(named: column) else {
                throw PipelineError.workspace("\(file.path) has no key column '\(column)'; run `doppel split` again")
            }
            parts.append(keys)
        }
        let keys = parts.isEmpty ? nil : Column.concatenate(parts)
        guard let keys, keys.count == expected else {
            throw PipelineError.workspace("the \(side.rawValue) context has \(keys?.count ?? 0) rows but the encoded data \(expected) subjects; run `doppel encode` again")
        }
        return keys
    }
}
