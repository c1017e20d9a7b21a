import DoppelTable

/// Brings the per-chunk parts of a column to the column's final kind.
enum CSVColumnMerge {
    /// Widens `column` of `kind` to `target` (`int → float`, `date → timestamp`); other
    /// combinations never reach here (string columns are read again as text).
    static func convert(_ column: Column, from kind: InferredKind, to target: InferredKind) -> Column {
        switch (column, target) {
        case (.int64(let c), .float):
            var values = BufferBuilder<Double>(capacity: c.count)
            c.values.withUnsafeBufferPointer { for v in $0 { values.append(Double(v)) } }
            return .float64(PrimitiveColumn(values: values.finish(), validity: c.validity))
        case (.date(let c), .timestamp):
            var values = BufferBuilder<Int64>(capacity: c.count)
            c.values.withUnsafeBufferPointer { for d in $0 { values.append(Int64(d) * TemporalFormat.microsPerDay) } }
            return .timestamp(PrimitiveColumn(values: values.finish(), validity: c.validity))
        default:
            return column
        }
    }

    /// A column of `rows` missing values. A string column shares the dictionary of `sibling`
    /// (another part of the same column) when it has one, so that joining the parts keeps the
    /// dictionary encoding.
    static func allMissing(_ type: DataType, rows: Int, like sibling: Column?) -> Column {
        var bits = BitmapBuilder(capacity: rows)
        bits.append(false, count: rows)
        let validity = bits.finish()
        switch type {
        case .int64: return .int64(PrimitiveColumn(values: zeros(rows), validity: validity))
        case .timestamp: return .timestamp(PrimitiveColumn(values: zeros(rows), validity: validity))
        case .float64: return .float64(PrimitiveColumn(values: zeros(rows), validity: validity))
        case .bool: return .bool(PrimitiveColumn(values: zeros(rows), validity: validity))
        case .date: return .date(PrimitiveColumn(values: zeros(rows), validity: validity))
        case .string:
            if case .string(let other) = sibling, case .dictionary(_, let dictionary) = other.storage, dictionary.count > 0 {
                return .string(StringColumn(storage: .dictionary(codes: zeros(rows), dictionary: dictionary), validity: validity))
            }
            var strings = StringArrayBuilder(capacity: rows)
            for _ in 0..<rows { strings.appendEmpty() }
            return .string(StringColumn(storage: .plain(strings.finish()), validity: validity))
        }
    }

    private static func zeros<T: BitwiseCopyable & Numeric>(_ count: Int) -> Buffer<T> {
        var b = BufferBuilder<T>(capacity: count)
        b.append(repeating: 0, count: count)
        return b.finish()
    }
}

/// Chooses how a finished string column is stored: dictionary-encoded while the number of
/// distinct values stays at most `max(1000, rows / 2)`, plain offsets + bytes otherwise.
enum CSVStringStorage {
    static func limit(rows: Int) -> Int { max(1000, rows / 2) }

    static func choose(_ column: StringColumn) -> StringColumn {
        switch column.storage {
        case .dictionary(let codes, let dictionary):
            guard dictionary.count > limit(rows: codes.count) else { return column }
            var plain = StringArrayBuilder(capacity: codes.count)
            for row in 0..<codes.count {
                if column.isValid(row) { plain.append(utf8: dictionary.utf8(Int(codes[row]))) } else { plain.appendEmpty() }
            }
            return StringColumn(storage: .plain(plain.finish()), validity: column.validity)
        case .plain:
            // Plain parts come from chunks that already saw many distinct values; keep plain.
            return column
        }
    }
}
