import ArgumentParser
import Doppel
import DoppelEncoding

/// `doppel analyze`: protected statistics of every modelled column.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Compute the protected statistics of every column (ModelStore/{tgt,ctx}-stats/stats.json).",
        discussion: """
        Partial statistics are computed per partition file and column in parallel, merged in \
        partition order and finalized: rare categories and extreme values are protected unless \
        --value-protection off; --dp-epsilon makes the statistics differentially private. The same \
        seed gives byte-identical statistics whatever --backend and --jobs.
        """
    )

    @Option(help: "Workspace folder written by `doppel split`.")
    var workspace: String

    @Option(help: "Protect rare categories and extreme values: on or off.")
    var valueProtection: String = "on"

    @Option(parsing: .unconditional, help: "Total differential-privacy budget ε of the statistics (needs value protection on).")
    var dpEpsilon: Double?

    @Option(parsing: .unconditional, help: "Random seed of the protection (same seed, same statistics).")
    var seed: UInt64 = 0

    @OptionGroup var executor: ExecutorOptions

    @Flag(help: "Print no progress.")
    var quiet = false

    func run() throws {
        var options = AnalyzeOptions(workspace: workspace)
        switch valueProtection.lowercased() {
        case "on", "true", "yes": options.valueProtection = true
        case "off", "false", "no": options.valueProtection = false
        default: throw ValidationError("--value-protection expects on or off, got '\(valueProtection)'")
        }
        options.dpEpsilon = dpEpsilon
        options.seed = seed
        options.executor = try executor.configuration()
        let progress = TerminalProgress(quiet: quiet)
        let summary = try runReportingErrors { try Analyze.run(options, progress: progress.reporter) }
        progress.finish()
        print(AnalyzeCommand.describe(summary))
    }

    static func describe(_ summary: AnalyzeSummary) -> String {
        var lines = ["Analyzed \(summary.partitionFiles) partition file(s) (backend \(summary.backend), \(summary.jobs) job(s))"]
        for table in [summary.target, summary.context].compactMap({ $0 }) {
            let title = table.role == .target ? "Target" : "Context"
            lines.append("\(title): \(table.trainingRecords) training, \(table.validationRecords) validation records → \(table.statsPath)")
            if let lengths = table.sequenceLength {
                lines.append("  sequence lengths: min \(lengths.min), median \(lengths.median), max \(lengths.max)")
            }
            let width = table.columns.map(\.name.count).max() ?? 0
            for column in table.columns {
                let resolved = column.stats.encodingType
                var encoding = resolved.rawValue
                if column.declared != resolved { encoding = "\(column.declared.rawValue) → \(resolved.rawValue)" }
                let subs = column.stats.subColumns.map { "\($0.name) \($0.cardinality)" }.joined(separator: ", ")
                lines.append("  " + column.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + encoding + "  [" + subs + "]")
            }
        }
        return lines.joined(separator: "\n")
    }
}
