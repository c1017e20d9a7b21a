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
