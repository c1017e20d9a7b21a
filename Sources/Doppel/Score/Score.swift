import DoppelEncoding
import DoppelModel
import DoppelParallel
import DoppelTable
import Foundation

/// What `doppel log-prob` and `doppel predict` need to know.
public struct ScoreOptions: Sendable {
    public var workspace: String
    /// The rows to score or predict for (columns of the training data, typed like it).
    public var dataPath: String
    public var outputPath: String
    public var read: DataReadOptions = .init()
    public var executor = ExecutorConfiguration()
    /// `predict`: the column to predict.
    public var target: String?
    /// `predict`: class probabilities instead of values.
    public var probabilities = false
    /// `predict` of a column that is not categorical: the seed of its sampled values.
    public var seed: UInt64 = 0
    /// `log-prob` on a sequential workspace: the context table whose subjects' events
    /// `dataPath` holds (``SequenceScore``).
    public var contextDataPath: String?

    public init(workspace: String, dataPath: String, outputPath: String) {
        self.workspace = workspace
        self.dataPath = dataPath
        self.outputPath = outputPath
    }
}

/// What a scoring step wrote.
public struct ScoreSummary: Sendable {
    public var rows: Int
    public var columns: [String]
    public var outputPath: String
}

/// The log-likelihood of rows under a trained flat model (`doppel log-prob`): one column
/// `log_prob`, in nats, row for row. The columns are taken in the training data's order, each
/// conditioned on the columns before it (``FlatModel/logLikelihoods(_:workers:)``), so the mean
/// over the validation rows is minus the model's loss for that order. A sequential workspace
/// with `contextDataPath`: per subject, see ``SequenceScore``.
public enum LogProb {
    public static func run(_ options: ScoreOptions, progress: ProgressReporter = .silent) throws -> ScoreSummary {
        try Executor.withDefault(options.executor) {
            if let contextPath = options.contextDataPath {
                let (workspace, lock) = try Scoring.open(options, extraInputs: [contextPath])
                defer { withExtendedLifetime(lock) {} }
                guard try SequentialInputs.isSequential(workspace) else {
                    throw PipelineError.invalidOption("--context goes with a sequential workspace; \(options.workspace) holds a flat table")
                }
                return try SequenceScore.run(options, contextPath: contextPath, workspace: workspace, progress: progress)
            }
            let (trained, rows) = try Scoring.prepare(options, progress: progress)
            for entry in trained.stats.columns where rows.table.column(named: entry.name) == nil {
                throw PipelineError.invalidOption("\(options.dataPath): column '\(entry.name)' is missing (log-prob needs every modelled column)")
            }
            progress.message("scoring \(rows.table.rowCount) rows")
            let data = try EncodedData(rowCount: rows.table.rowCount, subColumnCount: trained.schema.subColumnCount, codes: rows.fixed.codes)
            let scores = try trained.model.logLikelihoods(data, workers: options.executor.threadWorkers)
            let table = try Table([("log_prob", .float64(PrimitiveColumn(values: Buffer(scores))))])
            return try Scoring.write(table, options)
        }
    }
}

/// Predictions of one column from the others (`doppel predict`): with `probabilities`, the
/// class probabilities of a categorical or discrete column given every other column (one
/// column per class, named by its value); otherwise the most likely class of such a column, or
/// for other columns a value drawn from the model given the rest of the row.
public enum Predict {
    public static func run(_ options: ScoreOptions, progress: ProgressReporter = .silent) throws -> ScoreSummary {
        try Executor.withDefault(options.executor) {
            guard let target = options.target else { throw PipelineError.invalidOption("predict needs --target") }
            let (trained, rows) = try Scoring.prepare(options, progress: progress, dropping: target)
            let (c, j) = try trained.column(target, option: "--target")
            let entry = trained.stats.columns[c]
            let labels = Scoring.classLabels(entry.stats)
            progress.message("predicting '\(target)' for \(rows.table.rowCount) rows")
            let data = try EncodedData(rowCount: rows.table.rowCount, subColumnCount: trained.schema.subColumnCount,
                                       codes: rows.fixed.codes.map { max($0, 0) })
            let table: Table
            if let labels {
                let p = try trained.model.probabilities(of: c, given: data, workers: options.executor.threadWorkers)
                table = options.probabilities ? try Scoring.probabilityTable(p, labels: labels)
                                              : try Scoring.mostLikely(p, classes: labels.count, column: entry, name: target, original: trained.original)
            } else {
                guard !options.probabilities else {
                    throw PipelineError.invalidOption("--proba needs a categorical or discrete target; '\(target)' is \(entry.stats.encodingType.rawValue)")
                }
                table = try Scoring.sampled(target, column: c, firstSubColumn: j, trained: trained, fixed: rows.fixed, options: options)
            }
            return try Scoring.write(table, options)
        }
    }
}

/// The parts `LogProb` and `Predict` share.
enum Scoring {
    /// The workspace of a scoring step, checked (the output overwrites no input, training is
    /// complete) and locked for reading: keep the lock while scoring.
    static func open(_ options: ScoreOptions, extraInputs: [String] = []) throws -> (Workspace, WorkspaceLock) {
        let workspace = Workspace(path: options.workspace)
        try OutputPaths.refuseOverwriting(options.outputPath, option: "--output", inputs: [options.dataPath] + extraInputs, workspace: workspace)
        let lock = try WorkspaceLock.acquire(workspace, .shared, step: "score")
        _ = try StepRecords.requireComplete(.train, workspace, for: "scoring")
        return (workspace, lock)
    }

    static func prepare(_ options: ScoreOptions, progress: ProgressReporter,
                        dropping target: String? = nil) throws -> (TrainedFlatModel, SeedConditions) {
        let (workspace, lock) = try open(options)
        defer { withExtendedLifetime(lock) {} }
        // A sequential workspace: the rows are context rows, scored by the context table's model.
        let role: Workspace.Role = try SequentialInputs.isSequential(workspace) ? .context : .target
        progress.message(role == .context ? "loading the context table's model" : "loading the model")
        let trained = try TrainedFlatModel.load(workspace, role: role)
        let rows = try SeedConditions.load(path: options.dataPath, read: options.read, original: trained.original, stats: trained.stats,
                                           schema: trained.schema, seed: options.seed, role: "data", ignoring: target.map { [$0] } ?? [])
        return (trained, rows)
    }

    /// The value of every code of a categorical or discrete column's `cat` sub-column, as text
    /// (`nil` for other encodings).
    static func classLabels(_ stats: ColumnStats) -> [String]? {
        switch stats {
        case .categorical(let s): s.codeLabels
        case .numericDiscrete(let s): s.codeLabels
        default: nil
        }
    }

    static func probabilityTable(_ p: [Float], labels: [String]) throws -> Table {
        let k = labels.count, rows = p.count / max(k, 1)
        return try Table(labels.enumerated().map { i, label in
            (label, Column.float64(PrimitiveColumn(values: Buffer((0..<rows).map { Double(p[$0 * k + i]) }))))
        })
    }

    /// The most likely code per row, decoded like generated codes.
    static func mostLikely(_ p: [Float], classes k: Int, column entry: StatsFile.Entry, name: String, original: Schema) throws -> Table {
        let rows = p.count / max(k, 1)
        let codes = (0..<rows).map { r -> Int32 in
            var best = 0
            for i in 1..<k where p[r * k + i] > p[r * k + best] { best = i }
            return Int32(best)
        }
        let spec = entry.stats.subColumns[0]
        var random = SeededRandom(seed: 0)
        let column = try entry.stats.decode(EncodedColumn(rowCount: rows, subColumns: [SubColumn(spec: spec, codes: Buffer(codes))]),
                                            subjects: .rows(first: 0), name: name, random: &random)
        return try Table([(name, SyntheticTable.converted(column, to: original.fields.first { $0.name == name }?.type))])
    }

    /// One value of `name` per row, drawn from the model given the row's other columns.
    static func sampled(_ name: String, column c: Int, firstSubColumn j: Int, trained: TrainedFlatModel, fixed: FixedCodes,
                        options: ScoreOptions) throws -> Table {
        var free = fixed
        for r in 0..<free.rowCount { for k in 0..<trained.schema.columns[c].subColumns.count { free[r, j + k] = FixedCodes.free } }
        var sampling = SamplingOptions(temperature: 1, topP: 1, seed: options.seed)
        sampling.workers = options.executor.threadWorkers
        sampling.fixed = free
        let codes = try Sampler.generate(model: trained.model, rows: free.rowCount, options: sampling)
        let entry = trained.stats.columns[c]
        let subColumns = trained.schema.columns[c].subColumns.enumerated().map { k, spec in
            SubColumn(spec: SubColumnSpec(spec.name, spec.cardinality), codes: Buffer(codes.column(j + k)))
        }
        var random = SeededRandom.stream(seed: options.seed, [SeededRandom.identifier("decode"), SeededRandom.identifier(name)])
        let column = try entry.stats.decode(EncodedColumn(rowCount: codes.rowCount, subColumns: subColumns), subjects: .rows(first: 0),
                                            name: name, random: &random)
        return try Table([(name, SyntheticTable.converted(column, to: trained.original.fields.first { $0.name == name }?.type))])
    }

    static func write(_ table: Table, _ options: ScoreOptions) throws -> ScoreSummary {
        try Generate.createParent(of: options.outputPath)
        try DataFiles.write(table, to: options.outputPath)
        return ScoreSummary(rows: table.rowCount, columns: table.schema.names, outputPath: options.outputPath)
    }
}
