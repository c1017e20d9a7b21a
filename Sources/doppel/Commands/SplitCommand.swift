import ArgumentParser
import Doppel
import DoppelParallel
import Foundation

/// `doppel split`: train/validation split by subject into workspace partitions.
struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Split data into training and validation partitions of a workspace (by subject).",
        discussion: """
        Flat data: each row is a subject. Sequential data: give --context-key (the target column \
        that names the subject) and optionally a --context table with --context-primary-key; every \
        subject's rows stay together. Encoding types are detected (numbers: numeric, dates: datetime, \
        else categorical) and can be overridden with --encoding-type NAME=TYPE or a JSON file \
        {"target": {"col": "TYPE"}, "context": {...}}.
        """
    )

    @Option(name: .customLong("data"), help: "The table to model (.csv, .csv.gz, .tsv, .parquet, .arrow).")
    var data: String

    @Option(help: "Unique row id column of the data; kept but not modelled.")
    var primaryKey: String?

    @Option(help: "Context table: one row per subject (sequential data); same formats as --data.")
    var context: String?

    @Option(help: "Unique id column of the context table.")
    var contextPrimaryKey: String?

    @Option(help: "Column of the data that refers to the subject (context primary key).")
    var contextKey: String?

    @Option(help: "Workspace folder (created if missing).")
    var workspace: String

    @Option(parsing: .unconditional, help: "Number of partitions the subjects are spread over.")
    var partitions: Int = 1

    @Option(help: "Share of subjects held out for validation, in [0, 1).")
    var valFraction: Double = 0.2

    @Option(parsing: .unconditional, help: "Random seed: the same seed gives byte-identical partitions.")
    var seed: UInt64 = 0

    @Option(name: .customLong("encoding-type"), help: ArgumentHelp("Encoding of a data column: NAME=TYPE, TYPE one of categorical, numeric, numeric_discrete, numeric_binned, numeric_digit, datetime, datetime_relative, character, lat_long (repeatable).", valueName: "name=type"))
    var encodingTypes: [String] = []

    @Option(name: .customLong("context-encoding-type"), help: ArgumentHelp("Encoding of a context column: NAME=TYPE (repeatable).", valueName: "name=type"))
    var contextEncodingTypes: [String] = []

    @Option(name: .customLong("encoding-types"), help: ArgumentHelp("JSON file with encoding types: {\"target\": {NAME: TYPE}, \"context\": {NAME: TYPE}}.", valueName: "file"))
    var encodingTypesFile: String?

    @OptionGroup var read: ReadOptions

    @OptionGroup var executor: ExecutorOptions

    @Flag(help: "Print no progress.")
    var quiet = false

    func run() throws {
        var options = SplitOptions(targetPath: data, workspace: workspace)
        options.primaryKey = primaryKey
        options.contextPath = context
        options.contextPrimaryKey = contextPrimaryKey
        options.contextKey = contextKey
        options.partitions = partitions
        options.validationFraction = valFraction
        options.seed = seed
        options.read = try read.resolved()
        options.executor = try executor.configuration()
        if options.executor.backend?.isCluster == true { return try runOnCluster(options.executor) }
        if let encodingTypesFile {
            let (target, context) = try loadEncodingFile(encodingTypesFile)
            options.targetEncodings = target
            options.contextEncodings = context
        }
        for item in encodingTypes { let (k, v) = try parseEncoding(item, option: "--encoding-type"); options.targetEncodings[k] = v }
        for item in contextEncodingTypes { let (k, v) = try parseEncoding(item, option: "--context-encoding-type"); options.contextEncodings[k] = v }

        let progress = TerminalProgress(quiet: quiet)
        let summary = try runReportingErrors { try Split.run(options, progress: progress.reporter) }
        progress.finish()
        print(SplitCommand.describe(summary))
    }

    /// `--backend dask` or `spark`: the split of the input file runs as one task on a worker
    /// (`doppel split` there, reading the input and writing the partitions on the shared
    /// storage), so the driver needs neither the data's memory nor its disk bandwidth.
    func runOnCluster(_ configuration: ExecutorConfiguration) throws {
        let cluster = try ClusterCommands(configuration, quiet: quiet)
        let arguments = ["split", "--data", absolutePath(data), "--workspace", absolutePath(workspace), "--partitions", "\(partitions)",
                         "--val-fraction", "\(valFraction)", "--seed", "\(seed)", "--backend", "threads", "--quiet"] + read.arguments
            + optionArguments([("--primary-key", primaryKey), ("--context", context.map(absolutePath)),
                               ("--context-primary-key", contextPrimaryKey), ("--context-key", contextKey),
                               ("--encoding-types", encodingTypesFile.map(absolutePath))])
            + encodingTypes.flatMap { ["--encoding-type", $0] } + contextEncodingTypes.flatMap { ["--context-encoding-type", $0] }
        try cluster.run([ClusterCommand(name: "split", argv: arguments)], message: "splitting \(data)", label: { _ in "split of \(data)" })
    }

    static func describe(_ summary: SplitSummary) -> String {
        var lines: [String] = []
        lines.append("Workspace \(summary.workspace): \(summary.subjects) subjects → \(summary.trainingSubjects) training, \(summary.validationSubjects) validation, \(summary.partitions) partition(s)")
        func describeTable(_ title: String, _ table: SplitSummary.TableSummary) {
            lines.append("\(title) \(table.path): \(table.rows) rows × \(table.schema.fields.count) columns")
            if let pk = table.keys.primaryKey { lines.append("  primary key: \(pk)") }
            if let ck = table.keys.contextKey { lines.append("  context key: \(ck)") }
            let width = table.schema.fields.map(\.name.count).max() ?? 0
            for field in table.schema.fields {
                let encoding = table.encodings.first { $0.column == field.name }?.encoding.rawValue ?? "(key, not modelled)"
                lines.append("  " + field.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + field.type.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + "  " + encoding)
            }
        }
        describeTable("Target", summary.target)
        if let context = summary.context { describeTable("Context", context) }
        return lines.joined(separator: "\n")
    }

    private func parseEncoding(_ item: String, option: String) throws -> (String, ColumnEncoding) {
        let (name, value) = try splitAssignment(item, option: option)
        guard let encoding = ColumnEncoding(userText: value) else {
            throw ValidationError("\(option) \(item): unknown encoding type '\(value)'")
        }
        return (name, encoding)
    }

    private func loadEncodingFile(_ path: String) throws -> ([String: ColumnEncoding], [String: ColumnEncoding]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read --encoding-types file \(path)") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ValidationError("\(path): expected a JSON object {\"target\": {...}, \"context\": {...}}")
        }
        func section(_ key: String) throws -> [String: ColumnEncoding] {
            guard let raw = object[key] else { return [:] }
            guard let map = raw as? [String: String] else { throw ValidationError("\(path): '\(key)' must map column names to type names") }
            var result: [String: ColumnEncoding] = [:]
            for (name, value) in map {
                guard let encoding = ColumnEncoding(userText: value) else { throw ValidationError("\(path): column '\(name)': unknown encoding type '\(value)'") }
                result[name] = encoding
            }
            return result
        }
        let unknown = Set(object.keys).subtracting(["target", "context"])
        guard unknown.isEmpty else { throw ValidationError("\(path): unknown section(s) \(unknown.sorted().joined(separator: ", ")); use 'target' and 'context'") }
        return (try section("target"), try section("context"))
    }
}
