/// A matrix of integer codes: `rowCount` rows × `subColumnCount` sub-columns, ROW-MAJOR.
///
/// Row-major because training reads rows: a shuffled batch is a gather of whole rows (one
/// contiguous copy of `subColumnCount` codes per row) and the embedding lookup walks a row's
/// codes together. ``init(columns:)`` builds it from one buffer per sub-column, ``column(_:)``
/// reads one back.
public struct EncodedData: Sendable, Equatable {
    public let rowCount: Int
    public let subColumnCount: Int
    /// `codes[row * subColumnCount + subColumn]`.
    public internal(set) var codes: [Int32]

    /// - Throws: ``ModelError/shapeMismatch(_:)`` when `codes` does not hold `rowCount × subColumnCount` codes.
    public init(rowCount: Int, subColumnCount: Int, codes: [Int32]) throws(ModelError) {
        guard rowCount >= 0, subColumnCount > 0, codes.count == rowCount * subColumnCount else {
            throw .shapeMismatch("\(codes.count) codes for \(rowCount) rows × \(subColumnCount) sub-columns")
        }
        self.rowCount = rowCount
        self.subColumnCount = subColumnCount
        self.codes = codes
    }

    /// From one code buffer per sub-column (all of equal length).
    public init(columns: [[Int32]]) throws(ModelError) {
        guard let rows = columns.first?.count else { throw .shapeMismatch("no sub-columns") }
        guard columns.allSatisfy({ $0.count == rows }) else {
            throw .shapeMismatch("sub-column buffers differ in length: \(columns.map(\.count))")
        }
        let width = columns.count
        var codes = [Int32](repeating: 0, count: rows * width)
        for (j, column) in columns.enumerated() {
            for r in 0..<rows { codes[r * width + j] = column[r] }
        }
        try self.init(rowCount: rows, subColumnCount: width, codes: codes)
    }

    /// The codes of sub-column `j`, one per row.
    public func column(_ j: Int) -> [Int32] {
        precondition(j >= 0 && j < subColumnCount, "sub-column \(j) outside 0..<\(subColumnCount)")
        return (0..<rowCount).map { codes[$0 * subColumnCount + j] }
    }

    /// The code at `row`, `subColumn`.
    public subscript(row: Int, subColumn: Int) -> Int32 { codes[row * subColumnCount + subColumn] }

    /// Checks the width against `schema` and every code against its cardinality; the error names
    /// the first bad row and sub-column.
    public func validate(against schema: ModelSchema) throws(ModelError) {
        let cards = schema.cardinalities
        guard cards.count == subColumnCount else {
            throw .shapeMismatch("data has \(subColumnCount) sub-columns, the schema \(cards.count)")
        }
        for r in 0..<rowCount {
            for j in 0..<subColumnCount {
                let code = codes[r * subColumnCount + j]
                if code < 0 || Int(code) >= cards[j] {
                    throw .codeOutOfRange(subColumn: schema.qualifiedSubColumnNames[j], row: r, code: code, cardinality: cards[j])
                }
            }
        }
    }
}
