import ArgumentParser
import Doppel
import Foundation

/// `doppel synthesize`: the whole pipeline on one table.
struct SynthesizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize",
        abstract: "Synthesize a table in one go: split → analyze → encode → train → generate.",
        discussion: """
        Uses one partition and 20 % validation rows (--val-fraction). The workspace is a temporary folder, removed \
        afterwards, unless --workspace or --keep-workspace is given. Sequential data: give the context table \
        (--context, --context-key, --context-primary-key); both synthetic tables are written, the context one to \
        --context-output (default: the output's name with -context), with as many new subjects as the context has \
        unless --rows says otherwise.
        """
    )

    @Argument(help: "The table to synthesize (.csv, .csv.gz, .tsv, .parquet, .arrow).")
    var data: String

    @Option(help: "Output table (.csv, .csv.gz, .parquet, .arrow).")
    var output: String

    @Option(help: "Sequential data: the context table, one row per subject.")
    var context: String?

    @Option(help: "Sequential data: the column of the data that refers to the context's primary key.")
    var contextKey: String?

    @Option(help: "Sequential data: the primary key of the context table (default: --context-key).")
    var contextPrimaryKey: String?

    @Option(help: "Sequential data: where the synthetic context table goes (default: the output's name with -context).")
    var contextOutput: String?

    @Option(parsing: .unconditional, help: "Number of rows (default: as many as the input has).")
    var rows: Int?

    @Option(parsing: .unconditional, help: "Maximum training time in minutes.")
    var maxTime: Double = 240

    @Option(parsing: .unconditional, help: "Maximum number of training epochs.")
    var maxEpochs: Int = 100

    @Option(help: "Workspace folder (default: a temporary folder).")
    var workspace: String?

    @Flag(help: "Keep the temporary workspace and print where it is.")
    var keepWorkspace = false

    @Option(parsing: .unconditional, help: "Random seed of every step.")
    var seed: UInt64 = 0

    @Option(help: "Model size: S, M or L.")
    var model: String = "M"

    @Option(help: "Share of rows held out for validation (early stopping), in [0, 1).")
    var valFraction: Double = 0.2

    @Option(help: "Unique row id column; regenerated as 1…n in the output.")
    var primaryKey: String?

    @OptionGroup var executor: ExecutorOptions

    @OptionGroup var read: ReadOptions

    @OptionGroup var flags: RunFlags

    func run() throws {
        if let rows, rows < 0 { throw ValidationError("--rows must be ≥ 0") }
        try ExistingOutputs.refuse([output, context == nil ? nil : contextOutput ?? GenerateOptions.contextPath(for: output)], force: flags.force)
        let train = try trainOptions(workspace: "", model: model, maxEpochs: maxEpochs, maxTime: maxTime, seed: seed, executor: try executor.configuration())
        var options = SynthesizeOptions(dataPath: data, outputPath: output)
        options.workspace = workspace
        options.keepWorkspace = keepWorkspace
        options.primaryKey = primaryKey
        options.contextPath = context
        options.contextKey = contextKey
        options.contextPrimaryKey = contextPrimaryKey ?? (context == nil ? nil : contextKey)
        options.contextOutputPath = contextOutput
        options.validationFraction = valFraction
        options.rows = rows
        options.size = train.size
        options.maxEpochs = train.maxEpochs
        options.maxTime = train.maxTime
        options.seed = seed
        options.executor = train.executor
        options.read = try read.resolved()
        options.shouldStop = train.shouldStop
        let progress = TerminalProgress(quiet: flags.quiet)
        let summary = try runReportingErrors { try Synthesize.run(options, progress: progress.reporter) }
        progress.finish()
        print(SynthesizeCommand.describe(summary))
    }

    static func describe(_ summary: SynthesizeSummary) -> String {
        let times = summary.stepSeconds.map { "\($0.step) \(String(format: "%.1f", $0.seconds))s" }.joined(separator: ", ")
        var lines = ["Synthetic data → \(summary.outputPath)" + (summary.contextOutputPath.map { ", context → \($0)" } ?? ""),
                     "\(summary.rows) rows × \(summary.columns) columns from \(summary.inputRows) input rows; \(summary.epochs) training epoch(s); \(times)"]
        if let workspace = summary.workspace { lines.append("Workspace kept: \(workspace)") }
        return lines.joined(separator: "\n")
    }
}
