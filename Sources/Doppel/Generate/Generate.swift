import DoppelEncoding
import DoppelModel
import DoppelParallel
import DoppelTable
import Foundation

/// The generate step: samples codes from the trained model (`ModelStore/model-data`), decodes
/// them with the statistics back to the original column types and writes the table.
///
/// - Rows: `rows`, else the number of training rows; with seed data one row per seed row, its
///   columns returned verbatim and the others generated given them (conditional generation).
/// - `_RARE_`: with ``RareCategoryReplacement/sample`` the `_RARE_` code of categorical and
///   discrete-numeric columns is never sampled; with `constant` it may appear (as the text
///   `_RARE_` in string columns, a missing value otherwise).
/// - Columns come out in the training data's order; a primary key is regenerated (1…n).
/// - Imputation (`imputeColumns`): those columns are never generated missing or `_RARE_`; with
///   seed data only their missing cells are generated, given the rest of the row, and all else
///   is the seed's.
/// - Rebalancing: the named values of one categorical column get their shares exactly (per
///   chunk), the other rows one of the remaining values; the other columns follow the model.
/// - Fairness: a categorical target's shares are the same in every group of rows with equal
///   sensitive values (statistical parity), see ``GenerationConstraints/fairChunk``.
/// - The same seed (and model) gives the same output file, whatever the number of jobs.
public enum Generate {
    public static func run(_ options: GenerateOptions, progress: ProgressReporter = .silent) throws -> GenerateSummary {
        try Executor.withDefault(options.executor) { try generate(options, progress: progress) }
    }

    private static func generate(_ options: GenerateOptions, progress: ProgressReporter) throws -> GenerateSummary {
        try options.validate()
        let start = Date()
        let workspace = Workspace(path: options.workspace)
        try OutputPaths.refuseOverwriting(options.outputPath, option: "--output", inputs: [options.seedDataPath, options.contextDataPath],
                                          workspace: workspace)
        let lock = try WorkspaceLock.acquire(workspace, .shared, step: "generate")
        defer { withExtendedLifetime(lock) {} }
        _ = try StepRecords.requireComplete(.train, workspace, for: "generate")
        if try SequentialInputs.isSequential(workspace) {
            guard options.imputeColumns.isEmpty, options.rebalancing == nil, options.fairness == nil else {
                throw PipelineError.invalidOption("--impute, --rebalance and --fairness-target work on flat tables only so far (this workspace holds sequential data)")
            }
            return try GenerateSequences.run(options, workspace: workspace, progress: progress)
        }
        progress.message("loading the model")
        let trained = try TrainedFlatModel.load(workspace)
        let (stats, schema, model, original, keys) = (trained.stats, trained.schema, trained.model, trained.original, trained.keys)
        let conditions = try options.seedDataPath.map {
            try SeedConditions.load(path: $0, read: options.seedRead, original: original, stats: stats, schema: schema, seed: options.seed,
                                    impute: Set(options.imputeColumns))
        }
        let rebalanced = try options.rebalancing.map { try GenerationConstraints.resolve($0, stats: stats, schema: schema) }
        let fair = try options.fairness.map { try GenerationConstraints.resolve($0, stats: stats, schema: schema) }
        let rows = conditions?.table.rowCount ?? options.rows ?? stats.trainingRecords
        guard rows >= 0 else { throw PipelineError.invalidOption("--rows must be ≥ 0, got \(rows)") }

        var sampling = SamplingOptions(temperature: options.temperature, topP: options.topP, seed: options.seed)
        sampling.workers = options.executor.threadWorkers
        sampling.batchSize = options.samplingBatchSize
        sampling.fixed = conditions?.fixed
        if options.rareCategoryReplacement == .sample { sampling.suppressedCodes = rareCodes(stats, schema) }
        sampling.suppressedCodes = GenerationConstraints.merged(
            sampling.suppressedCodes, try GenerationConstraints.imputationSuppression(Set(options.imputeColumns), stats: stats, schema: schema))
        // Imputed cells right after a row's present values, for the same reason as a rebalanced column.
        sampling.leadingColumns = stats.columns.indices.filter { options.imputeColumns.contains(stats.columns[$0].name) }
        if let rebalanced, rebalanced.shares.reduce(0, +) < 1 - 1e-9 {
            // Rows not given a named value draw one of the others from the model, FIRST: drawn
            // after other columns, the suppression would force a value those columns did not
            // anticipate and bias their conditionals.
            sampling.suppressedCodes = GenerationConstraints.merged(sampling.suppressedCodes, [rebalanced.subColumn: rebalanced.codes])
            sampling.leadingColumns = [rebalanced.column] + sampling.leadingColumns
        }
        let executor = Executor.current
        try createParent(of: options.outputPath)
        // Unconditional rows are generated, decoded and written chunk by chunk, so memory stays
        // bounded whatever the row count. Chunk 0 uses the seed itself; chunk k > 0 an independent
        // stream derived from (seed, "generate-chunk", k).
        let chunkRows = conditions == nil ? max(1, options.chunkRows) : max(rows, 1)
        let chunkCount = (rows + chunkRows - 1) / chunkRows
        // A part (MPI rank, cluster task) generates only its block of the chunks (a whole run: all).
        let owned = options.part.block(of: chunkCount)
        var chunk = owned.lowerBound
        let firstRow = min(rows, owned.lowerBound * chunkRows)
        var written = firstRow
        let ownRows = min(rows, owned.upperBound * chunkRows) - firstRow
        progress.message(options.part.count > 1 ? "generating rows \(firstRow + 1)…\(firstRow + ownRows) of \(rows)" : "generating \(rows) rows")
        let schemaOut = try outputSchema(original: original, stats: stats, primaryKey: keys.primaryKey, seeded: conditions)
        // At least one chunk, maybe of no rows, so that an empty output (or part) gets the
        // column types of generated data (e.g. dictionary-encoded strings), not just the schema's.
        var produced = false
        try DataFiles.write(schema: schemaOut, to: options.outputPath) {
            guard chunk < owned.upperBound || !produced else { return nil }
            produced = true
            defer { chunk += 1 }
            let count = min(chunkRows, firstRow + ownRows - written)
            var chunkStream = SeededRandom.stream(seed: options.seed, [SeededRandom.identifier("generate-chunk"), UInt64(chunk)])
            let chunkSeed = chunk == 0 ? options.seed : chunkStream.next()
            var chunkSampling = sampling
            chunkSampling.seed = chunkSeed
            if let rebalanced {
                chunkSampling.fixed = GenerationConstraints.rebalancedChunk(rebalanced, rows: count, subColumns: schema.subColumnCount,
                                                                            seed: options.seed, chunk: chunk)
            }
            if let fair {
                chunkSampling.fixed = try GenerationConstraints.fairChunk(fair, model: model, rows: count, sampling: chunkSampling, chunk: chunk)
            }
            var tables: [Table] = []
            for draw in 0..<max(1, options.imputeDraws) {
                var drawSampling = chunkSampling
                if draw > 0 { drawSampling.seed = GenerationConstraints.derivedSeed(chunkSeed, "impute-draw-\(draw)") }
                let codes = try Sampler.generate(model: model, rows: count, options: drawSampling)
                tables.append(try SyntheticTable.assemble(codes: codes, stats: stats, schema: schema, original: original,
                                                          primaryKey: keys.primaryKey, seed: conditions, randomSeed: drawSampling.seed,
                                                          firstKey: written + 1, executor: executor))
            }
            let table = try combinedDraws(tables, imputed: options.imputeColumns, how: options.imputeAggregate)
            written += count
            if chunkCount > 1 { progress.step("generating", completed: written - firstRow, total: ownRows) }
            return table
        }
        return GenerateSummary(rows: written - firstRow, columns: schemaOut.names, seededColumns: conditions?.table.schema.names ?? [],
                               primaryKey: keys.primaryKey, outputPath: options.outputPath, elapsedSeconds: Date().timeIntervalSince(start))
    }

    /// The first draw's table with each imputed column combined over all draws.
    static func combinedDraws(_ tables: [Table], imputed: [String], how: ImputeAggregate) throws -> Table {
        guard tables.count > 1 else { return tables[0] }
        let first = tables[0]
        return try Table(zip(first.schema.names, first.columns).map { name, column in
            guard imputed.contains(name) else { return (name, column) }
            return (name, ImputeAggregation.combine(tables.map { $0.column(named: name)! }, how))
        })
    }

    /// The columns of the output: the training data's columns that are modelled, seeded or the
    /// primary key, in the training data's order (what ``SyntheticTable/assemble`` produces).
    static func outputSchema(original: Schema, stats: StatsFile, primaryKey: String?, seeded: SeedConditions?) throws -> Schema {
        var present = Set(stats.columns.map(\.name))
        if let primaryKey { present.insert(primaryKey) }
        for name in seeded?.table.schema.names ?? [] { present.insert(name) }
        return Schema(original.fields.filter { present.contains($0.name) })
    }

    /// The `_RARE_` code (0) of every categorical and discrete-numeric sub-column that has other codes.
    static func rareCodes(_ stats: StatsFile, _ schema: ModelSchema) -> [Int: [Int32]] {
        var result: [Int: [Int32]] = [:]
        var offset = 0
        for (c, entry) in stats.columns.enumerated() {
            let subColumns = schema.columns[c].subColumns
            switch entry.stats {
            case .categorical, .numericDiscrete:
                if let k = subColumns.firstIndex(where: { $0.name == "cat" }), subColumns[k].cardinality > 1 {
                    result[offset + k] = [CategoricalStats.rareCode]
                }
            default:
                break
            }
            offset += subColumns.count
        }
        return result
    }

    /// Creates the folder an output file goes to.
    static func createParent(of path: String) throws {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    }
}
