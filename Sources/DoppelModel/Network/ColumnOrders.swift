import DoppelParallel

/// The column order of every sample of a batch, stored as ranks: `ranks[r · C + c]` is the
/// position of column `c` in row `r`'s order. Column `c′` precedes `c` for row `r` iff
/// `ranks[r·C + c′] < ranks[r·C + c]`; that comparison is the per-sample 0/1 mask applied to
/// the column embeddings (see docs/model.md).
public struct ColumnOrders: Sendable, Equatable {
    public let rowCount: Int
    public let columnCount: Int
    public internal(set) var ranks: [Int32]

    /// The same `order` (a permutation of `0..<columnCount`) for every row.
    public init(rows: Int, order: [Int]) {
        rowCount = rows
        columnCount = order.count
        var rank = [Int32](repeating: 0, count: order.count)
        for (position, c) in order.enumerated() { rank[c] = Int32(position) }
        ranks = Array((0..<rows).map { _ in rank }.joined())
    }

    /// One independent random permutation per row (any-order training).
    public static func random(rows: Int, columns: Int, random: inout SeededRandom) -> ColumnOrders {
        var ranks = [Int32](repeating: 0, count: rows * columns)
        var p = Array(0..<columns)
        for r in 0..<rows {
            random.shuffle(&p)
            for (position, c) in p.enumerated() { ranks[r * columns + c] = Int32(position) }
        }
        return ColumnOrders(rowCount: rows, columnCount: columns, ranks: ranks)
    }

    init(rowCount: Int, columnCount: Int, ranks: [Int32]) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.ranks = ranks
    }
}
