import ArgumentParser
import Doppel
import DoppelParallel
import Foundation

/// `doppel generate`: synthetic rows from the trained model.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate synthetic rows with the trained model.",
        discussion: """
        Columns come back in the training data's order and types; a primary key is regenerated as \
        1…n. With --seed-data, each seed row yields one output row: its columns verbatim, the other \
        columns generated given them. The same seed gives the same output file.

        Sequential data: one sequence per training subject by default; --rows N generates N new \
        subjects and their context; --context FILE one sequence per row of a given context table. \
        --seed-data then holds the context key and some event columns: each subject's seed rows \
        fix its first events.

        Flat tables: --impute COL,… never generates those columns missing; with --seed-data it \
        fills the missing cells of those columns given the rest of each row (all other values \
        kept); --rebalance COL=VALUE:SHARE,… gives \
        values of a categorical column the requested shares; --fairness-target COL --sensitive \
        COL,… makes a categorical column's distribution the same in every group of the \
        sensitive columns (statistical parity).
        """
    )

    @Option(help: "Workspace folder trained by `doppel train`.")
    var workspace: String

    @Option(help: "Output table (.csv, .csv.gz, .parquet, .arrow); default: WORKSPACE/SyntheticData/synthetic.csv.")
    var output: String?

    @Option(parsing: .unconditional, help: "Number of rows (default: the number of training rows); sequential data: number of new subjects, their context generated too (default: one sequence per training subject).")
    var rows: Int?

    @Option(parsing: .unconditional, help: "Random seed: the same seed gives the same output.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Sampling temperature: below 1 sharpens the distributions, 0 picks the most likely code.")
    var temperature: Float = 1

    @Option(parsing: .unconditional, help: "Nucleus sampling: keep the most likely codes up to this probability mass (1: all).")
    var topP: Float = 1

    @Option(help: "Table with some of the columns: one output row per seed row, these values kept.")
    var seedData: String?

    @Option(help: "Sequential data: a context table (with its primary key): one sequence per row, its columns kept; columns it lacks are generated.")
    var context: String?

    @Option(help: "Sequential data with --rows, or a --context table lacking columns: where the generated context table goes (default: the output's name with -context).")
    var contextOutput: String?

    @Option(parsing: .unconditional, help: "Sequential data: the longest sequence to generate (default: the longest one in the training data).")
    var maxSequenceLength: Int?

    @Option(help: ArgumentHelp("Imputation: these columns are never generated missing; with --seed-data, only the missing cells of these columns are generated, given the rest of each row (comma-separated; flat tables).", valueName: "col,col"))
    var impute: String?

    @Option(parsing: .unconditional, help: "Imputation with --seed-data: draws per missing cell, combined by --aggregate into one value.")
    var imputeDraws: Int = 1

    @Option(help: "How --impute-draws combine: mode (every column), mean or median (numbers, dates and times).")
    var aggregate: String = "mode"

    @Option(help: ArgumentHelp("Rebalancing: shares of values of a categorical column, e.g. income=>50K:0.5 (flat tables); the other rows take the remaining values, the other columns follow the model.", valueName: "col=value:share,…"))
    var rebalance: String?

    @Option(help: "Fairness: a categorical column whose distribution is made the same in every group of the --sensitive columns (statistical parity; flat tables).")
    var fairnessTarget: String?

    @Option(help: ArgumentHelp("Fairness: the sensitive columns (comma-separated), with --fairness-target.", valueName: "col,col"))
    var sensitive: String?

    @Option(help: "What rare categories become: constant (the _RARE_ value) or sample (a kept category).")
    var rareCategoryReplacement: String = "constant"

    @Option(parsing: .unconditional, help: "Rows (flat) or subjects (sequential) generated, decoded and written at a time: bounds memory; MPI ranks share the work by chunks. The output depends on it (default: 262144 rows, 16384 subjects).")
    var chunkSize: Int?

    @Option(parsing: .unconditional, help: "Generate only part I (0-based) of --parts N into the output's part file (e.g. synthetic.part-00001-of-00004.csv); the parts in order hold the whole output. For array jobs; MPI ranks and the dask and spark backends split the work this way themselves.")
    var part: Int?

    @Option(parsing: .unconditional, help: "With --part, or with --backend dask or spark: how many parts (default under dask or spark: one per worker thread of the cluster).")
    var parts: Int?

    @OptionGroup var executor: ExecutorOptions

    @OptionGroup var read: ReadOptions

    @OptionGroup var flags: RunFlags

    func run() throws {
        guard let rare = RareCategoryReplacement(rawValue: rareCategoryReplacement.lowercased()) else {
            throw ValidationError("--rare-category-replacement expects constant or sample, got '\(rareCategoryReplacement)'")
        }
        if let rows, rows < 0 { throw ValidationError("--rows must be ≥ 0") }
        let path = output ?? Workspace(path: workspace).syntheticData.appendingPathComponent("synthetic.csv").path
        var options = GenerateOptions(workspace: workspace, outputPath: path)
        options.rows = rows
        options.seed = seed
        options.temperature = temperature
        options.topP = topP
        options.seedDataPath = seedData
        options.imputeColumns = impute.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
        options.rebalancing = try rebalance.map { try Rebalancing(parsing: $0) }
        options.imputeDraws = imputeDraws
        guard let how = ImputeAggregate(rawValue: aggregate.lowercased()) else {
            throw ValidationError("--aggregate expects mode, mean or median, got '\(aggregate)'")
        }
        options.imputeAggregate = how
        if let fairnessTarget {
            options.fairness = Fairness(target: fairnessTarget, sensitive: (sensitive ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        } else if sensitive != nil {
            throw ValidationError("--sensitive needs --fairness-target")
        }
        options.seedRead = try read.resolved()
        options.rareCategoryReplacement = rare
        options.maxSequenceLength = maxSequenceLength
        options.contextPath = contextOutput
        options.contextDataPath = context
        if let chunkSize {
            guard chunkSize >= 1 else { throw ValidationError("--chunk-size must be ≥ 1") }
            options.chunkRows = chunkSize
            options.chunkSubjects = chunkSize
        }
        options.executor = try executor.configuration()
        if options.executor.backend?.isCluster == true {
            return try runOnCluster(options)
        }
        // Under MPI every rank writes its own part of the output; rank 0 the context table.
        let group = try MPILaunch.processGroup()
        options.part = OutputPart(index: group.rank, count: group.size)
        if let part {
            guard group.size == 1 else { throw ValidationError("--part does not go with MPI: every rank generates its own part") }
            guard let parts, parts >= 1, part >= 0, part < parts else { throw ValidationError("--part I needs --parts N with 0 ≤ I < N") }
            options.part = OutputPart(index: part, count: parts)
        } else if parts != nil {
            throw ValidationError("--parts goes with --part, or with --backend dask or spark")
        }
        if options.part.count > 1 {
            options.contextPath = options.contextOutputPath
            options.outputPath = OutputPaths.part(path, rank: options.part.index, of: options.part.count)
        }
        let writesContext = (rows != nil || context != nil) && options.part.isFirst
        try ExistingOutputs.refuse([options.outputPath, writesContext ? options.contextOutputPath : nil], force: flags.force)
        let progress = TerminalProgress(quiet: flags.quiet || !group.isLeader)
        if let banner = MPILaunch.banner(group), group.isLeader, !flags.quiet { progress.reporter.message(banner) }
        let summary = try MPILaunch.run(group) { try runReportingErrors { try Generate.run(options, progress: progress.reporter) } }
        progress.finish()
        print(GenerateCommand.describe(summary))
        if group.isLeader, let line = GenerateCommand.privacyLine(workspace: workspace) { print(line) }
    }

    /// `--backend dask` or `spark`: one task per part, each running `doppel generate --part I
    /// --parts N` on a worker (one thread each), every part written to its own file on the shared
    /// storage; this process checks the outputs first and prints the parts' summaries.
    func runOnCluster(_ options: GenerateOptions) throws {
        guard part == nil else { throw ValidationError("--part does not go with --backend dask or spark: the backend runs every part") }
        let cluster = try ClusterCommands(options.executor, quiet: flags.quiet)
        let count = try parts ?? runReportingErrors { try cluster.executor.clusterSlots() }
        guard count >= 1 else { throw ValidationError("--parts must be ≥ 1") }
        let paths = (0..<count).map { OutputPaths.part(options.outputPath, rank: $0, of: count) }
        let writesContext = rows != nil || context != nil
        try ExistingOutputs.refuse(paths + [writesContext ? options.contextOutputPath : nil], force: flags.force)
        let commands = (0..<count).map { ClusterCommand(name: "generate-part", argv: partArguments(options, index: $0, count: count)) }
        try cluster.run(commands, message: "generating in \(count) part(s)", label: { "generate part \($0) of \(count)" })
    }

    /// This command's arguments for part `index` of `count` as a cluster task runs it: paths made
    /// absolute (the workers have other working directories), the cluster options left out,
    /// `--force` because the driver has checked the outputs (and a retried task finds its own).
    func partArguments(_ options: GenerateOptions, index: Int, count: Int) -> [String] {
        let arguments = ["generate", "--workspace", absolutePath(workspace), "--output", absolutePath(options.outputPath),
                         "--seed", "\(seed)", "--temperature", "\(temperature)", "--top-p", "\(topP)",
                         "--impute-draws", "\(imputeDraws)", "--aggregate", aggregate, "--rare-category-replacement", rareCategoryReplacement,
                         "--part", "\(index)", "--parts", "\(count)", "--backend", "threads", "--jobs", "1", "--force", "--quiet"]
                        + read.arguments
        return arguments + optionArguments([
            ("--rows", rows.map { "\($0)" }), ("--seed-data", seedData.map(absolutePath)), ("--context", context.map(absolutePath)),
            ("--context-output", rows != nil || context != nil ? absolutePath(options.contextOutputPath) : nil),
            ("--max-sequence-length", maxSequenceLength.map { "\($0)" }), ("--impute", impute), ("--rebalance", rebalance),
            ("--fairness-target", fairnessTarget), ("--sensitive", sensitive), ("--chunk-size", chunkSize.map { "\($0)" })])
    }

    /// The privacy cost recorded with the models (DP-SGD and differentially private statistics).
    static func privacyLine(workspace: String) -> String? {
        guard let privacy = ReleasePrivacy.read(Workspace(path: workspace)) else { return nil }
        return String(format: "Differential privacy of this release: ε = %.3f (model)%@ at δ = %g", privacy.modelEpsilon,
                      privacy.statisticsEpsilon.map { String(format: " + %.3f (statistics) = %.3f", $0, privacy.totalEpsilon) } ?? "",
                      privacy.delta)
    }

    static func describe(_ summary: GenerateSummary) -> String {
        var line = "Generated \(summary.rows) rows × \(summary.columns.count) columns → \(summary.outputPath) (\((summary.elapsedSeconds * 10).rounded() / 10)s)"
        if !summary.seededColumns.isEmpty { line += "; seeded columns: \(summary.seededColumns.joined(separator: ", "))" }
        if let key = summary.primaryKey { line += "; primary key \(key) regenerated" }
        if let path = summary.contextOutputPath { line += "\nGenerated context: \(summary.contextRows ?? 0) subjects → \(path)" }
        return line
    }
}
