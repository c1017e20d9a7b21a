/// The columns a model is trained on, in order, each with its ordered sub-columns.
///
/// The encoding step turns every table column into one or more integer sub-columns (e.g. `nan`,
/// `E3`, `E2`, … for a digit-encoded number, `cat` for a categorical); sub-column `j` holds codes
/// `0..<cardinality`. Flat sub-column index = position when all columns' sub-columns are listed
/// in order; ``EncodedData`` uses this order.
public struct ModelSchema: Codable, Sendable, Equatable {
    public struct SubColumn: Codable, Sendable, Equatable {
        public var name: String
        public var cardinality: Int
        public init(name: String, cardinality: Int) {
            self.name = name
            self.cardinality = cardinality
        }
    }

    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        public var subColumns: [SubColumn]
        public init(name: String, subColumns: [SubColumn]) {
            self.name = name
            self.subColumns = subColumns
        }
    }

    public var columns: [Column]

    public init(columns: [Column]) { self.columns = columns }

    /// Total number of sub-columns.
    public var subColumnCount: Int { columns.reduce(0) { $0 + $1.subColumns.count } }
    /// Cardinalities in flat sub-column order.
    public var cardinalities: [Int] { columns.flatMap { $0.subColumns.map(\.cardinality) } }
    /// `"column/sub-column"` names in flat sub-column order (for messages).
    public var qualifiedSubColumnNames: [String] {
        columns.flatMap { c in c.subColumns.map { "\(c.name)/\($0.name)" } }
    }

    /// Checks that there is at least one column, every column has sub-columns and every
    /// cardinality is at least 1.
    public func validate() throws(ModelError) {
        guard !columns.isEmpty else { throw .invalidSchema("the schema has no columns") }
        for column in columns {
            guard !column.subColumns.isEmpty else { throw .invalidSchema("column \(column.name) has no sub-columns") }
            for sub in column.subColumns where sub.cardinality < 1 {
                throw .invalidSchema("sub-column \(column.name)/\(sub.name) has cardinality \(sub.cardinality)")
            }
        }
    }
}
