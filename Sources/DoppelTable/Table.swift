/// A table: a schema and one column per field, all of the same length.
///
/// Tables are immutable values; columns share their buffers, so copying a table, slicing rows
/// (``slice(_:)``) or selecting columns never copies data.
public struct Table: Sendable {
    public let schema: Schema
    public let columns: [Column]
    public let rowCount: Int

    public enum ShapeError: Error, Equatable, CustomStringConvertible {
        case columnCount(fields: Int, columns: Int)
        case typeMismatch(column: String, declared: DataType, actual: DataType)
        case lengthMismatch(column: String, expected: Int, actual: Int)
        case duplicateName(String)

        public var description: String {
            switch self {
            case .columnCount(let f, let c): "schema has \(f) fields but \(c) columns were given"
            case .typeMismatch(let n, let d, let a): "column '\(n)' is declared \(d) but holds \(a)"
            case .lengthMismatch(let n, let e, let a): "column '\(n)' has \(a) rows, expected \(e)"
            case .duplicateName(let n): "duplicate column name '\(n)'"
            }
        }
    }

    /// Validates that the columns fit the schema and have equal lengths.
    public init(schema: Schema, columns: [Column]) throws(ShapeError) {
        guard schema.fields.count == columns.count else {
            throw .columnCount(fields: schema.fields.count, columns: columns.count)
        }
        var seen = Set<String>()
        for field in schema.fields where !seen.insert(field.name).inserted { throw .duplicateName(field.name) }
        let rows = columns.first?.count ?? 0
        for (field, column) in zip(schema.fields, columns) {
            guard field.type == column.type else { throw .typeMismatch(column: field.name, declared: field.type, actual: column.type) }
            guard column.count == rows else { throw .lengthMismatch(column: field.name, expected: rows, actual: column.count) }
        }
        self.schema = schema
        self.columns = columns
        self.rowCount = rows
    }

    /// A table from `(name, column)` pairs; the schema follows from the columns.
    public init(_ namedColumns: [(String, Column)]) throws(ShapeError) {
        try self.init(schema: Schema(namedColumns.map { Field($0.0, $0.1.type) }), columns: namedColumns.map(\.1))
    }

    /// A table with no columns and `rowCount` rows (rare, but keeps key-only tables honest).
    public init(emptyWithRowCount rowCount: Int) {
        self.schema = Schema([])
        self.columns = []
        self.rowCount = rowCount
    }

    /// A table of `schema` with no rows.
    public init(emptyWith schema: Schema) {
        self.init(unchecked: schema, columns: schema.fields.map { Column.empty($0.type) }, rowCount: 0)
    }

    private init(unchecked schema: Schema, columns: [Column], rowCount: Int) {
        self.schema = schema
        self.columns = columns
        self.rowCount = rowCount
    }

    public var columnCount: Int { columns.count }

    /// The column called `name`, if any.
    public func column(named name: String) -> Column? {
        schema.index(of: name).map { columns[$0] }
    }

    /// Zero-copy slice of rows.
    public func slice(_ range: Range<Int>) -> Table {
        precondition(range.lowerBound >= 0 && range.upperBound <= rowCount, "row range out of bounds")
        return Table(unchecked: schema, columns: columns.map { $0.slice(range) }, rowCount: range.count)
    }

    /// The rows of `tables` (all of `schema`, which must be their schema) one after the other,
    /// column by column with ``Column/concatenate(_:)``; the table itself when there is one.
    public static func concatenate(_ tables: [Table], schema: Schema) throws -> Table {
        if tables.count == 1 { return tables[0] }
        return try Table(schema: schema, columns: schema.fields.indices.map { i in Column.concatenate(tables.map { $0.columns[i] }) })
    }

    /// The rows at `indices`, in that order (a copy).
    public func take(_ indices: [Int]) -> Table {
        indices.withUnsafeBufferPointer { idx in
            Table(unchecked: schema, columns: columns.map { $0.take(idx) }, rowCount: idx.count)
        }
    }

    /// The columns called `names`, in that order (zero-copy).
    public func selecting(_ names: [String]) -> Table? {
        var fields: [Field] = [], cols: [Column] = []
        for name in names {
            guard let i = schema.index(of: name) else { return nil }
            fields.append(schema.fields[i])
            cols.append(columns[i])
        }
        return Table(unchecked: Schema(fields), columns: cols, rowCount: rowCount)
    }

    /// The same table without the columns called `names`.
    public func dropping(_ names: Set<String>) -> Table {
        let keep = schema.fields.indices.filter { !names.contains(schema.fields[$0].name) }
        return Table(unchecked: Schema(keep.map { schema.fields[$0] }), columns: keep.map { columns[$0] }, rowCount: rowCount)
    }

    /// Row `row` as boxed values (for tests and messages).
    public func row(_ row: Int) -> [Value?] { columns.map { $0.value(at: row) } }
}
