import Foundation

/// Codes fixed per row for conditional generation: row-major `[rows × subColumns]`, where
/// ``free`` (−1) means "generate this sub-column".
public struct FixedCodes: Sendable, Equatable {
    public static let free: Int32 = -1
    public let rowCount: Int
    public let subColumnCount: Int
    public var codes: [Int32]

    public init(rowCount: Int, subColumnCount: Int, codes: [Int32]) throws(ModelError) {
        guard rowCount >= 0, codes.count == rowCount * subColumnCount else {
            throw .shapeMismatch("\(codes.count) fixed codes for \(rowCount) rows × \(subColumnCount) sub-columns")
        }
        self.rowCount = rowCount
        self.subColumnCount = subColumnCount
        self.codes = codes
    }

    /// Every sub-column free.
    public init(rowCount: Int, subColumnCount: Int) {
        self.rowCount = rowCount
        self.subColumnCount = subColumnCount
        codes = [Int32](repeating: Self.free, count: rowCount * subColumnCount)
    }

    public subscript(row: Int, subColumn: Int) -> Int32 {
        get { codes[row * subColumnCount + subColumn] }
        set { codes[row * subColumnCount + subColumn] = newValue }
    }
}

/// Settings of a generation run. Probabilities are shaped in the reference engine's order:
/// temperature first, then nucleus (top-p) filtering, then suppressed codes set to 0.
public struct SamplingOptions: Sendable {
    /// `softmax(logits / max(T, 1e-3))`: below 1 sharpens, near 0 picks the mode.
    public var temperature: Float = 1
    /// Keep the smallest set of most likely codes whose probability reaches `topP` (1 = all).
    public var topP: Float = 1
    public var seed: UInt64 = 0
    /// Codes never sampled, per flat sub-column index (e.g. the `_RARE_` code). Fixed codes win.
    public var suppressedCodes: [Int: [Int32]] = [:]
    /// Conditional generation: these codes are kept, the other sub-columns are generated given them.
    public var fixed: FixedCodes? = nil
    /// Each row generates its free columns in a random order of its own (after its fixed columns),
    /// the orders the model was trained on. `false`: schema order for every row, which drifts from
    /// the training marginals (docs/model.md, "Generation order").
    public var randomColumnOrder: Bool = true
    /// Columns generated right after a row's fixed columns, before the shuffled rest (e.g. a
    /// rebalanced column whose suppressed codes must not bias the columns drawn before it).
    public var leadingColumns: [Int] = []
    /// Rows per batch; `nil` = ``Sampler/defaultBatchSize(for:)``. Results depend on it, not on `workers`.
    public var batchSize: Int? = nil
    /// Threads (batches run in parallel).
    public var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    public init(temperature: Float = 1, topP: Float = 1, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
    }
}
