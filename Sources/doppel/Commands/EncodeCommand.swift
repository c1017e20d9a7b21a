import ArgumentParser
import Doppel
import DoppelEncoding

/// `doppel encode`: integer codes of every partition file from the statistics of analyze.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Turn every partition into integer sub-column codes (OriginalData/encoded-data).",
        discussion: """
        Needs the statistics of `doppel analyze`. Flat data: one row per record. Sequential data: \
        one row per subject (context codes) plus the padded target sequences in \
        part-NNNNNN-{trn,val}.sequences.arrow.
        """
    )

    @Option(help: "Workspace folder analyzed by `doppel analyze`.")
    var workspace: String

    @Option(parsing: .unconditional, help: "Random seed of the imputation of missing values.")
    var seed: UInt64 = 0

    @OptionGroup var executor: ExecutorOptions

    @Flag(help: "Print no progress.")
    var quiet = false

    func run() throws {
        var options = EncodeOptions(workspace: workspace)
        options.seed = seed
        options.executor = try executor.configuration()
        let progress = TerminalProgress(quiet: quiet)
        let summary = try runReportingErrors { try Encode.run(options, progress: progress.reporter) }
        progress.finish()
        print(EncodeCommand.describe(summary))
    }

    static func describe(_ summary: EncodeSummary) -> String {
        var lines = ["Encoded \(summary.files) partition file(s) → \(summary.directory)"]
        func list(_ title: String, _ specs: [SubColumnSpec], rows: Int) {
            let total = specs.map(\.cardinality).reduce(0, +)
            lines.append("\(title): \(rows) rows, \(specs.count) sub-columns, total cardinality \(total)")
            let width = specs.map(\.name.count).max() ?? 0
            for spec in specs { lines.append("  " + spec.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(spec.cardinality)") }
        }
        if summary.sequenceSubColumns.isEmpty {
            list("Records", summary.subColumns, rows: summary.rows)
        } else {
            list("Subjects", summary.subColumns, rows: summary.rows)
            list("Sequences (padded target rows)", summary.sequenceSubColumns, rows: summary.sequenceRows)
        }
        return lines.joined(separator: "\n")
    }
}
