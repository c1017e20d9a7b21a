import DoppelParallel
import DoppelTable

/// Final statistics of a categorical column and its encoding into one sub-column `cat`.
///
/// Codes: `_RARE_` = 0, `<<NULL>>` = 1 when missing values were seen, then the kept categories in
/// byte order. Categories are stored as a list and the special codes by position, so a literal
/// value "_RARE_" or "<<NULL>>" needs no escaping and is never confused with the tokens.
public struct CategoricalStats: Codable, Sendable, Equatable {
    public var sourceType: DataType
    public var valueProtection: Bool
    public var hasNull: Bool
    /// Kept categories (text forms), code = index + ``firstCategoryCode``.
    public var categories: [String]
    /// Number of categories folded into `_RARE_` by protection.
    public var rareCategoryCount: Int

    public static let rareToken = "_RARE_"
    public static let nullToken = "<<NULL>>"
    public static let rareCode: Int32 = 0
    public static let nullCode: Int32 = 1

    public var firstCategoryCode: Int32 { hasNull ? 2 : 1 }

    public var subColumns: [SubColumnSpec] { [SubColumnSpec("cat", Int(firstCategoryCode) + categories.count)] }

    /// The label of every code of `cat`, in code order: the tokens, then the categories.
    public var codeLabels: [String] { [Self.rareToken] + (hasNull ? [Self.nullToken] : []) + categories }

    /// Missing → `<<NULL>>` (or `_RARE_` when no missing value was seen in analyze), unknown or
    /// rare → `_RARE_`.
    public func encode(_ column: Column, name: String) throws(EncodingError) -> EncodedColumn {
        guard column.type == sourceType else { throw EncodingError(column: name, "expected a \(sourceType) column, got \(column.type)") }
        var lookup: [String: Int32] = [:]
        for (i, c) in categories.enumerated() { lookup[c] = firstCategoryCode + Int32(i) }
        let distinct = DistinctValues(column)
        let codeOfLabel = distinct.labels.map { lookup[$0] ?? Self.rareCode }
        let missing = hasNull ? Self.nullCode : Self.rareCode
        let matrix = CodeMatrix(columns: 1, rowCount: column.count)
        let out = matrix.pointers[0]
        for (row, id) in distinct.ids.enumerated() { out[row] = id < 0 ? missing : codeOfLabel[Int(id)] }
        return matrix.finish(specs: subColumns)
    }

    /// Codes → values of the source type; `<<NULL>>` → missing; `_RARE_` → the text `_RARE_` for
    /// string columns, missing for other types.
    public func decode(_ codes: EncodedColumn, name: String) throws(EncodingError) -> Column {
        let cat = try codes.require("cat", column: name)
        let n = cat.count
        var rows: [Int] = []  // category index per row, -1 rare, -2 null
        rows.reserveCapacity(n)
        let cardinality = Int32(subColumns[0].cardinality)
        for i in 0..<n {
            let c = cat[i]
            guard c >= 0 && c < cardinality else { throw EncodingError(column: name, "code \(c) at row \(i) is outside 0..<\(cardinality)") }
            rows.append(c == Self.rareCode ? -1 : (hasNull && c == Self.nullCode ? -2 : Int(c - firstCategoryCode)))
        }
        return try Self.column(of: sourceType, labels: categories, rows: rows, rareLabel: Self.rareToken, name: name)
    }

    /// Builds a column of `type` from label indices (-1 = rare label for strings, else missing; -2 = missing).
    static func column(of type: DataType, labels: [String], rows: [Int], rareLabel: String, name: String) throws(EncodingError) -> Column {
        switch type {
        case .string:
            return .dictionaryString(rows.map { $0 >= 0 ? labels[$0] : ($0 == -1 ? rareLabel : nil) })
        case .bool:
            return .bool(rows.map { $0 >= 0 ? labels[$0] == "true" : nil })
        case .int64, .int32, .int16, .int8:
            // Narrow integer sources decode as int64 (the pipeline's one integer type).
            let parsed = try labels.map { (s) throws(EncodingError) -> Int64 in
                guard let v = Int64(s) else { throw EncodingError(column: name, "category '\(s)' is not an integer") }
                return v
            }
            return .int64(rows.map { $0 >= 0 ? parsed[$0] : nil })
        case .float64:
            let parsed = try labels.map { (s) throws(EncodingError) -> Double in
                guard let v = Double(s) else { throw EncodingError(column: name, "category '\(s)' is not a number") }
                return v
            }
            return .float64(rows.map { $0 >= 0 ? parsed[$0] : nil })
        case .date:
            let parsed = try labels.map { (s) throws(EncodingError) -> Int32 in
                guard let v = TextForms.parseDate(Substring(s)), let d = Int32(exactly: v) else { throw EncodingError(column: name, "category '\(s)' is not a date") }
                return d
            }
            return .date(rows.map { $0 >= 0 ? parsed[$0] : nil })
        case .timestamp:
            let parsed = try labels.map { (s) throws(EncodingError) -> Int64 in
                guard let v = TextForms.parseTimestamp(s) else { throw EncodingError(column: name, "category '\(s)' is not a timestamp") }
                return v
            }
            return .timestamp(rows.map { $0 >= 0 ? parsed[$0] : nil })
        }
    }
}
