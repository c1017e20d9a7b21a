import DoppelParallel
import DoppelTable

/// A numeric column encoded as categories of its values (sub-column `cat`): `_RARE_` = 0,
/// `<<NULL>>` = 1 when missing values were seen, then the kept values in numeric order.
public struct DiscreteStats: Codable, Sendable, Equatable {
    public var sourceType: DataType
    public var valueProtection: Bool
    public var hasNull: Bool
    /// Kept values as canonical text (integers without fraction, others shortest round-trip).
    public var values: [String]
    public var rareValueCount: Int

    public var firstValueCode: Int32 { hasNull ? 2 : 1 }
    public var subColumns: [SubColumnSpec] { [SubColumnSpec("cat", Int(firstValueCode) + values.count)] }

    /// The label of every code of `cat`, in code order: the tokens (as categorical columns
    /// spell them), then the values.
    public var codeLabels: [String] { [CategoricalStats.rareToken] + (hasNull ? [CategoricalStats.nullToken] : []) + values }

    var isInteger: Bool { sourceType != .float64 && sourceType != .string }

    public func encode(_ column: Column, name: String) throws(EncodingError) -> EncodedColumn {
        let view = try NumericView.make(column, name: name).view
        var lookup: [UInt64: Int32] = [:]
        for (i, v) in values.enumerated() {
            let key: UInt64? = view.isInteger ? Int64(v).map { UInt64(bitPattern: $0) } : Double(v).map { $0 == 0 ? 0 : $0.bitPattern }
            if let key { lookup[key] = firstValueCode + Int32(i) }
        }
        let matrix = CodeMatrix(columns: 1, rowCount: view.count)
        let out = matrix.pointers[0]
        let missing: Int32 = hasNull ? 1 : 0
        for row in 0..<view.count {
            if view.isPresent(row) {
                out[row] = lookup[view.exactKey(row)] ?? 0
            } else {
                out[row] = missing
            }
        }
        return matrix.finish(specs: subColumns)
    }

    /// `_RARE_` decodes to missing when the column had missing values, else to a random kept value.
    public func decode(_ codes: EncodedColumn, name: String, random: inout SeededRandom) throws(EncodingError) -> Column {
        let cat = try codes.require("cat", column: name)
        let cardinality = Int32(subColumns[0].cardinality)
        var rows: [Int] = []
        rows.reserveCapacity(cat.count)
        for i in 0..<cat.count {
            let c = cat[i]
            guard c >= 0 && c < cardinality else { throw EncodingError(column: name, "code \(c) at row \(i) is outside 0..<\(cardinality)") }
            if c >= firstValueCode { rows.append(Int(c - firstValueCode)) }
            else if c == 0 && !hasNull && !values.isEmpty { rows.append(random.uniform(below: values.count)) }
            else { rows.append(-2) }
        }
        let type: DataType = isInteger ? .int64 : .float64
        let decoded = try CategoricalStats.column(of: type, labels: values, rows: rows, rareLabel: "", name: name)
        return restoreSourceType(decoded, sourceType: sourceType, integral: false)
    }
}
