import DoppelModel
import DoppelParallel
import DoppelTable
import Foundation

/// What `doppel synthesize` needs to know: one table in, one synthetic table out; or, for
/// sequential data, a target table of events and its context table in, both synthetic out.
public struct SynthesizeOptions: Sendable {
    public var dataPath: String
    public var outputPath: String
    /// Sequential data: the context table (one row per subject), the target column that refers to
    /// it, its primary key, and where its synthetic version goes (default: the output's name with
    /// `-context`).
    public var contextPath: String?
    public var contextKey: String?
    public var contextPrimaryKey: String?
    public var contextOutputPath: String?
    /// Workspace folder; `nil`: a temporary folder, removed afterwards unless `keepWorkspace`.
    public var workspace: String?
    public var keepWorkspace = false
    /// Folder for the temporary workspace (default: the system's temporary folder).
    public var temporaryParent: String?
    public var primaryKey: String?
    /// Rows to generate (default: as many as the input has).
    public var rows: Int?
    public var size: ModelSize = .medium
    public var maxEpochs = 100
    /// Training time budget in seconds.
    public var maxTime: Double = 14_400
    public var validationFraction = 0.2
    public var seed: UInt64 = 0
    /// How every step runs its parallel work (`--backend`, `--jobs`).
    public var executor = ExecutorConfiguration()
    public var read: DataReadOptions = .init()
    public var shouldStop: @Sendable () -> Bool = { false }

    public init(dataPath: String, outputPath: String) {
        self.dataPath = dataPath
        self.outputPath = outputPath
    }
}

/// What each step did and how long it took.
public struct SynthesizeSummary: Sendable {
    public var inputRows: Int
    public var rows: Int
    public var columns: Int
    /// Training epochs (0 when the input had no rows and nothing was trained).
    public var epochs: Int
    public var outputPath: String
    /// Sequential data: the synthetic context table.
    public var contextOutputPath: String?
    /// The workspace, if it was kept.
    public var workspace: String?
    /// `(step, seconds)` in pipeline order.
    public var stepSeconds: [(step: String, seconds: Double)]
}

/// The whole pipeline in one call: split (one partition, validation share 0.2) → analyze →
/// encode → train → generate.
///
/// An empty input table yields an empty output with the input's columns (nothing to learn).
public enum Synthesize {
    public static func run(_ options: SynthesizeOptions, progress: ProgressReporter = .silent) throws -> SynthesizeSummary {
        let inputs = [options.dataPath, options.contextPath]
        try OutputPaths.refuseOverwriting(options.outputPath, option: "--output", inputs: inputs,
                                          workspace: options.workspace.map { Workspace(path: $0) })
        if options.contextPath != nil {
            let contextOutput = options.contextOutputPath ?? GenerateOptions.contextPath(for: options.outputPath)
            try OutputPaths.refuseOverwriting(contextOutput, option: "--context-output", inputs: inputs + [options.outputPath])
        }
        let temporary = options.workspace == nil
        let parent = options.temporaryParent.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FileManager.default.temporaryDirectory
        let workspace = options.workspace ?? parent.appendingPathComponent("doppel-synthesize-\(UUID().uuidString)").path
        defer {
            if temporary && !options.keepWorkspace { try? FileManager.default.removeItem(atPath: workspace) }
        }
        var times: [(step: String, seconds: Double)] = []
        func timed<T>(_ step: String, _ index: Int, _ body: () throws -> T) throws -> T {
            progress.message("step \(index + 1)/5: \(step)")
            let start = Date()
            let result = try body()
            times.append((step, Date().timeIntervalSince(start)))
            return result
        }
        let executor = options.executor

        var split = SplitOptions(targetPath: options.dataPath, workspace: workspace)
        split.primaryKey = options.primaryKey
        split.contextPath = options.contextPath
        split.contextKey = options.contextKey
        split.contextPrimaryKey = options.contextPrimaryKey
        split.validationFraction = options.validationFraction
        split.seed = options.seed
        split.read = options.read
        split.executor = executor
        let splitSummary = try timed("split", 0) { try Split.run(split, progress: progress) }

        var generated: GenerateSummary
        var epochs = 0
        if splitSummary.subjects == 0 {
            let empty = try timed("generate", 4) { () throws -> GenerateSummary in
                let start = Date()
                let table = Table(emptyWith: splitSummary.target.schema)
                try Generate.createParent(of: options.outputPath)
                try DataFiles.write(table, to: options.outputPath)
                return GenerateSummary(rows: 0, columns: table.schema.names, seededColumns: [], primaryKey: options.primaryKey,
                                       outputPath: options.outputPath, elapsedSeconds: Date().timeIntervalSince(start))
            }
            generated = empty
        } else {
            var analyze = AnalyzeOptions(workspace: workspace)
            analyze.seed = options.seed
            analyze.executor = executor
            _ = try timed("analyze", 1) { try Analyze.run(analyze, progress: progress) }
            var encode = EncodeOptions(workspace: workspace)
            encode.seed = options.seed
            encode.executor = executor
            _ = try timed("encode", 2) { try Encode.run(encode, progress: progress) }
            var train = TrainOptions(workspace: workspace)
            train.size = options.size
            train.maxEpochs = options.maxEpochs
            train.maxTime = options.maxTime
            train.seed = options.seed
            train.executor = executor
            train.shouldStop = options.shouldStop
            let trained = try timed("train", 3) { try Train.run(train, progress: progress) }
            epochs = trained.training.epochs
            var generate = GenerateOptions(workspace: workspace, outputPath: options.outputPath)
            // Sequential data: as many new subjects as the context has, their context generated too.
            generate.rows = options.rows ?? (options.contextKey == nil ? splitSummary.target.rows : splitSummary.subjects)
            generate.contextPath = options.contextOutputPath
            generate.seed = options.seed
            generate.executor = executor
            generated = try timed("generate", 4) { try Generate.run(generate, progress: progress) }
        }
        return SynthesizeSummary(inputRows: splitSummary.target.rows, rows: generated.rows, columns: generated.columns.count, epochs: epochs,
                                 outputPath: options.outputPath, contextOutputPath: generated.contextOutputPath, workspace: temporary && !options.keepWorkspace ? nil : workspace,
                                 stepSeconds: times)
    }
}
