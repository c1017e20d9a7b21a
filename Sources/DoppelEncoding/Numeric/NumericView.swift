import DoppelTable

/// Read access to a column as numbers: integers (of any width) and bool exactly as integers, float64 as doubles
/// (NaN and ±∞ count as missing), and text parsed as decimal numbers (text that is not a number
/// counts as missing and is reported in the statistics).
enum NumericView {
    case integers(PrimitiveColumn<Int64>)
    case floats(PrimitiveColumn<Double>)

    /// Text cells that were not numbers (0 for typed columns).
    struct Parsed { let view: NumericView; let unparsed: Int }

    static func make(_ column: Column, name: String) throws(EncodingError) -> Parsed {
        switch column {
        case .int64(let c): return Parsed(view: .integers(c), unparsed: 0)
        case .int8, .int16, .int32: return try make(column.widenedToInt64(), name: name)
        case .float64(let c): return Parsed(view: .floats(c), unparsed: 0)
        case .bool(let c):
            let values = c.values.withUnsafeBufferPointer { Buffer($0.map { Int64($0) }) }
            return Parsed(view: .integers(PrimitiveColumn(values: values, validity: c.validity)), unparsed: 0)
        case .string(let c):
            var values: [Double?] = []
            values.reserveCapacity(c.count)
            var unparsed = 0
            for row in 0..<c.count {
                guard c.isValid(row) else { values.append(nil); continue }
                let text = String(decoding: c.utf8(row), as: UTF8.self).trimmingSpaces
                if let v = Double(text), v.isFinite { values.append(v) } else { values.append(nil); if !text.isEmpty { unparsed += 1 } }
            }
            return Parsed(view: .floats(PrimitiveColumn(values, placeholder: 0)), unparsed: unparsed)
        case .date, .timestamp:
            throw EncodingError(column: name, "a \(column.type) column cannot use a numeric encoding; use TABULAR_DATETIME")
        }
    }

    var count: Int {
        switch self {
        case .integers(let c): c.count
        case .floats(let c): c.count
        }
    }

    var isInteger: Bool { if case .integers = self { true } else { false } }

    @inline(__always) func isPresent(_ row: Int) -> Bool {
        switch self {
        case .integers(let c): c.isValid(row)
        case .floats(let c): c.isValid(row) && c.values[row].isFinite
        }
    }

    /// An exact key of the value at `row`: the Int64 bits for integers, the Double bits (−0
    /// folded into +0) for floats.
    @inline(__always) func exactKey(_ row: Int) -> UInt64 {
        switch self {
        case .integers(let c): UInt64(bitPattern: c.values[row])
        case .floats(let c): c.values[row] == 0 ? 0 : c.values[row].bitPattern
        }
    }

    /// Canonical text of an ``exactKey(_:)``: integers without fraction, floats in shortest
    /// round-trip form.
    func label(ofKey key: UInt64) -> String {
        isInteger ? String(Int64(bitPattern: key)) : String(Double(bitPattern: key))
    }

    @inline(__always) func double(_ row: Int) -> Double {
        switch self {
        case .integers(let c): Double(c.values[row])
        case .floats(let c): c.values[row]
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// Gives decoded numbers the column's source type: bool columns come back as bool (non-zero =
/// true), text columns as text (integers without a fraction when `integral`), others unchanged.
func restoreSourceType(_ column: Column, sourceType: DataType, integral: Bool) -> Column {
    switch (sourceType, column) {
    case (.bool, .int64(let c)):
        return .bool((0..<c.count).map { c[$0].map { $0 != 0 } })
    case (.string, .float64(let c)):
        return .string((0..<c.count).map { row in
            c[row].map { v in integral && v.magnitude < 9.2e18 ? String(Int64(v.rounded())) : String(v) }
        })
    default:
        return column
    }
}
