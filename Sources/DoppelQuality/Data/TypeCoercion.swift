import DoppelTable

/// Converts a table column to another logical type (holdout or synthetic files whose type
/// inference differed from the training file's). Values that cannot be converted become
/// missing. Boxed per value: this path runs only on type mismatches.
enum TypeCoercion {
    static func convert(_ column: Column, to type: DataType) -> Column {
        if column.type == type { return column }
        let values = (0..<column.count).map { column.value(at: $0) }
        switch type {
        // Narrow integer targets are compared as int64 (the pipeline's one integer type).
        case .int64, .int32, .int16, .int8: return .int64(values.map { $0.flatMap(number).flatMap { $0.rounded() == $0 && abs($0) < 9e18 ? Int64($0) : nil } })
        case .float64: return .float64(values.map { $0.flatMap(number) })
        case .bool: return .bool(values.map { $0.flatMap(number).map { $0 != 0 } })
        case .timestamp: return .timestamp(values.map { $0.flatMap(micros).map { Int64($0) } })
        case .date: return .date(values.map { $0.flatMap(micros).map { Int32(($0 / 86_400_000_000).rounded(.down)) } })
        case .string: return .string(values.map { $0?.description })
        }
    }

    private static func number(_ v: Value) -> Double? {
        switch v {
        case .int64(let x): Double(x)
        case .float64(let x): x
        case .bool(let b): b ? 1 : 0
        case .string(let s): Double(s.trimmingCharacters(in: .whitespaces))
        case .timestamp(let x): Double(x)
        case .date(let d): Double(d)
        }
    }

    private static func micros(_ v: Value) -> Double? {
        switch v {
        case .timestamp(let x): Double(x)
        case .date(let d): Double(d) * 86_400_000_000
        case .string(let s): TemporalParsing.micros(s)
        default: nil
        }
    }
}
