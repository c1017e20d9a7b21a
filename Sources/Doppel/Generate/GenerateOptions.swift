import DoppelParallel
import Foundation

/// What `_RARE_` codes of categorical columns become in generated data (reference engine's
/// `rare_category_replacement_method`).
public enum RareCategoryReplacement: String, Sendable, CaseIterable {
    /// Keep the code: string columns show the text `_RARE_`, other types a missing value.
    case constant
    /// Never sample the `_RARE_` code: a kept category is drawn in its place.
    case sample
}

/// What `doppel generate` needs to know.
public struct GenerateOptions: Sendable {
    public var workspace: String
    /// Output table; the format follows the extension (`.csv`, `.csv.gz`, `.arrow`, …).
    public var outputPath: String
    /// Rows to generate (default: the number of training rows). Ignored with seed data, which
    /// yields one row per seed row.
    public var rows: Int?
    public var seed: UInt64 = 0
    public var temperature: Float = 1
    public var topP: Float = 1
    /// Table with a subset of the columns: each row yields one output row with these values.
    public var seedDataPath: String?
    public var seedRead: DataReadOptions = .init()
    public var rareCategoryReplacement: RareCategoryReplacement = .constant
    /// Sequential data: a context table (with the context's primary key) to generate one sequence
    /// per row for (conditional generation); columns it lacks are generated.
    public var contextDataPath: String?
    /// Sequential data with `rows` (or a context table lacking columns): where the generated context table goes (default: the output's
    /// name with `-context` before the extension, e.g. `events-context.csv`).
    public var contextPath: String?
    public var contextOutputPath: String { contextPath ?? Self.contextPath(for: outputPath) }

    /// `dir/events.csv.gz` → `dir/events-context.csv.gz`.
    public static func contextPath(for output: String) -> String {
        let url = URL(fileURLWithPath: output)
        let name = url.lastPathComponent
        let stem = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        let rest = name.dropFirst(stem.count)
        return url.deletingLastPathComponent().appendingPathComponent(stem + "-context" + rest).path
    }

    /// Sequential data: the longest sequence generated (default: the training data's protected maximum).
    public var maxSequenceLength: Int?
    /// How parallel work runs (`--backend`, `--jobs`). Model passes need shared memory, so they
    /// run on threads under `processes`, on one thread under `sequential`.
    public var executor = ExecutorConfiguration()
    /// Rows generated, decoded and written per chunk (unconditional generation): bounds memory.
    public var chunkRows = 1 << 18
    /// Sequential data: subjects generated, decoded and written per chunk (rounded down to whole
    /// sampler batches): bounds memory.
    public var chunkSubjects = 1 << 14
    /// Rows (flat) or subjects (sequential) per sampler batch; `nil`: the sampler's default.
    public var samplingBatchSize: Int?
    /// Imputation (flat tables): these columns are never generated missing; with seed data, the
    /// missing cells of these columns in the seed rows are generated given the rest of the row
    /// and every other seed value is returned as it is.
    public var imputeColumns: [String] = []
    /// Imputation with seed data: draws per imputed cell, combined by ``imputeAggregate`` into a
    /// point estimate (1: the single draw).
    public var imputeDraws = 1
    public var imputeAggregate: ImputeAggregate = .mode
    /// Rebalancing (flat tables): shares of values of one categorical column.
    public var rebalancing: Rebalancing?
    /// Fairness (flat tables): the target's distribution made independent of the sensitive columns.
    public var fairness: Fairness?

    /// The part of the output this run generates (an MPI rank's, a cluster task's, an array
    /// job's): its contiguous block of the chunks (rows; subjects for sequential data) into
    /// `outputPath`, which is then its part file (``OutputPaths/part(_:rank:of:)``). The parts in
    /// order hold the rows of a whole run. Part 0 alone writes a generated context table (whole).
    public var part = OutputPart.whole

    public init(workspace: String, outputPath: String) {
        self.workspace = workspace
        self.outputPath = outputPath
    }

    /// Refuses settings no generation can honour, before anything is read.
    public func validate() throws(PipelineError) {
        if let rows, rows < 0 { throw .invalidOption("--rows must be ≥ 0, got \(rows)") }
        guard temperature >= 0, temperature.isFinite else { throw .invalidOption("--temperature must be ≥ 0, got \(temperature)") }
        guard topP > 0, topP <= 1 else { throw .invalidOption("--top-p must lie in (0, 1], got \(topP)") }
        if let maxSequenceLength, maxSequenceLength < 0 {
            throw .invalidOption("--max-sequence-length must be ≥ 0, got \(maxSequenceLength)")
        }
        guard imputeDraws >= 1 else { throw .invalidOption("--impute-draws must be ≥ 1, got \(imputeDraws)") }
        if imputeDraws > 1 && (imputeColumns.isEmpty || seedDataPath == nil) {
            throw .invalidOption("--impute-draws needs --impute and --seed-data")
        }
        if let rebalancing {
            try rebalancing.validate()
            if seedDataPath != nil { throw .invalidOption("--rebalance and --seed-data cannot be combined") }
        }
        if let fairness {
            guard !fairness.sensitive.isEmpty else { throw .invalidOption("--fairness-target needs --sensitive COL,…") }
            guard !fairness.sensitive.contains(fairness.target) else { throw .invalidOption("--fairness-target \(fairness.target) is also a --sensitive column") }
            if seedDataPath != nil || rebalancing != nil {
                throw .invalidOption("--fairness-target cannot be combined with --seed-data or --rebalance")
            }
        }
    }
}

/// Shares of values of one categorical column in generated data (`--rebalance COL=VALUE:SHARE,…`):
/// exactly `round(share · rows)` rows of each chunk get each named value, the other rows a value
/// that is not named, drawn from the model; every other column follows the model given the value.
public struct Rebalancing: Sendable, Equatable {
    public var column: String
    public var shares: [(value: String, share: Double)]

    public init(column: String, shares: [(value: String, share: Double)]) {
        self.column = column
        self.shares = shares
    }

    public static func == (a: Rebalancing, b: Rebalancing) -> Bool {
        a.column == b.column && a.shares.map(\.value) == b.shares.map(\.value) && a.shares.map(\.share) == b.shares.map(\.share)
    }

    /// Parses `COL=VALUE:SHARE,VALUE:SHARE` (the value may contain `:`; the share is after the last one).
    public init(parsing text: String) throws(PipelineError) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw .invalidOption("--rebalance expects COL=VALUE:SHARE,…, got '\(text)'")
        }
        column = String(text[..<equals])
        var shares: [(String, Double)] = []
        for item in text[text.index(after: equals)...].split(separator: ",") {
            guard let colon = item.lastIndex(of: ":"), let share = Double(item[item.index(after: colon)...]) else {
                throw .invalidOption("--rebalance: '\(item)' is not VALUE:SHARE")
            }
            shares.append((String(item[..<colon]), share))
        }
        self.shares = shares
    }

    func validate() throws(PipelineError) {
        guard !shares.isEmpty else { throw .invalidOption("--rebalance \(column): no VALUE:SHARE given") }
        guard shares.allSatisfy({ $0.share >= 0 && $0.share <= 1 }) else {
            throw .invalidOption("--rebalance \(column): every share must lie in [0, 1]")
        }
        let total = shares.reduce(0) { $0 + $1.share }
        guard total <= 1 + 1e-9 else { throw .invalidOption("--rebalance \(column): the shares add up to \(total), more than 1") }
        guard Set(shares.map(\.value)).count == shares.count else { throw .invalidOption("--rebalance \(column): a value is named twice") }
    }
}

/// How several imputation draws of a cell become one value: the most frequent (every type), or
/// the mean or median (numbers, dates and times; other columns take the most frequent).
public enum ImputeAggregate: String, Sendable, CaseIterable {
    case mode, mean, median
}

/// Statistical parity of a categorical target with respect to sensitive columns
/// (`--fairness-target COL --sensitive COL,…`): in every generated chunk, each combination of
/// sensitive values gets the same shares of target values (up to rounding), the model's own
/// marginal shares of the target; the other columns are generated given both.
public struct Fairness: Sendable, Equatable {
    public var target: String
    public var sensitive: [String]

    public init(target: String, sensitive: [String]) {
        self.target = target
        self.sensitive = sensitive
    }
}

/// What generate wrote.
public struct GenerateSummary: Sendable {
    public var rows: Int
    public var columns: [String]
    /// Columns taken verbatim from the seed data.
    public var seededColumns: [String]
    /// The regenerated primary key column, if the data had one.
    public var primaryKey: String?
    public var outputPath: String
    public var elapsedSeconds: Double
    /// Sequential data generated with new subjects: the context table written, and its rows.
    public var contextOutputPath: String? = nil
    public var contextRows: Int? = nil
}

/// Part `index` of `count` of a generated output (see ``GenerateOptions/part``).
public struct OutputPart: Sendable, Equatable {
    public var index: Int
    public var count: Int
    public static let whole = OutputPart(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// This part's contiguous block of `items` ordered chunks, `index·items/count ..< (index+1)·items/count`:
    /// the blocks of parts 0, 1, … follow each other.
    public func block(of items: Int) -> Range<Int> { index * items / count ..< (index + 1) * items / count }

    /// Whether this is the first part (or the whole output), which writes the shared files.
    public var isFirst: Bool { index == 0 }
}
