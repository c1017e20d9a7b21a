import DoppelEncoding
import DoppelModel
import DoppelParallel
import DoppelTable
import Foundation

/// Generation for a sequential workspace: one synthetic sequence per subject of the training
/// context (the reference engine's default), drawn by ``SequentialSampler`` and decoded into the
/// target table, whose context-key column refers to those subjects' keys. Not yet: a generated
/// context (`--rows`), a given context file, seeded events.
enum GenerateSequences {
    static func run(_ options: GenerateOptions, workspace: Workspace, progress: ProgressReporter) throws -> GenerateSummary {
        let start = Date()
        guard options.rows == nil, options.seedDataPath == nil else {
            throw PipelineError.invalidOption("for sequential data, generate writes one sequence per training subject; --rows (a generated context) and --seed-data are not implemented yet")
        }
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
        let subjects = try inputs.load(workspace, side: .training)
        let keys = try MetadataJSON.read(KeysFile.self, from: workspace.keysFile(.target))
        let contextKeys = try MetadataJSON.read(KeysFile.self, from: workspace.keysFile(.context))
        guard let contextKey = keys.contextKey, let contextPrimaryKey = contextKeys.primaryKey else {
            throw PipelineError.workspace("keys.json of the target or the context names no key; run `doppel split` again")
        }
        let subjectKeys = try trainingContextKeys(workspace, column: contextPrimaryKey, expected: subjects.subjectCount)

        var sampling = SamplingOptions(temperature: options.temperature, topP: options.topP, seed: options.seed)
        sampling.workers = options.executor.threadWorkers
        let targetStats = try Encode.readStats(workspace, .target)
        if options.rareCategoryReplacement == .sample {
            let offset = inputs.positional.all.count
            sampling.suppressedCodes = Dictionary(uniqueKeysWithValues: Generate.rareCodes(targetStats, ModelInputs.schema(targetStats))
                .map { ($0.key + offset, $0.value) })
        }
        progress.message("generating \(subjects.subjectCount) sequences")
        let generated = try SequentialSampler.generate(model: model, subjects: subjects.subjectCount, contextCodes: subjects.contextCodes,
                                                       maxLength: min(options.maxSequenceLength ?? inputs.maxLength, inputs.maxLength),
                                                       options: sampling)
        let table = try decode(generated, inputs: inputs, stats: targetStats, workspace: workspace, primaryKey: keys.primaryKey,
                               contextKey: contextKey, subjectKeys: subjectKeys, seed: options.seed)
        try Generate.createParent(of: options.outputPath)
        try DataFiles.write(table, to: options.outputPath)
        return GenerateSummary(rows: table.rowCount, columns: table.schema.names, seededColumns: [], primaryKey: keys.primaryKey,
                               outputPath: options.outputPath, elapsedSeconds: Date().timeIntervalSince(start))
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
