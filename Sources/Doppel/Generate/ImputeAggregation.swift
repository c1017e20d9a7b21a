import DoppelTable

/// Combines the draws of imputed columns cell by cell (`--impute-draws K --aggregate …`).
enum ImputeAggregation {
    /// One column from `draws` (the same column of K generated tables, equal length).
    static func combine(_ draws: [Column], _ how: ImputeAggregate) -> Column {
        guard let first = draws.first, draws.count > 1 else { return draws.first ?? .string([]) }
        let rows = first.count
        let numeric: Bool = switch first {
        case .int64, .int8, .int16, .int32, .float64, .timestamp, .date: true
        case .bool, .string: false
        }
        let values: [Value?] = (0..<rows).map { r in
            let cell = draws.compactMap { $0.value(at: r) }
            guard !cell.isEmpty else { return nil }
            if Set(cell).count == 1 { return cell[0] }
            switch how {
            case .mode: return mode(cell)
            case .mean where numeric: return rebuilt(cell[0], cell.map(number).reduce(0, +) / Double(cell.count))
            case .median where numeric: return rebuilt(cell[0], median(cell.map(number)))
            default: return mode(cell)
            }
        }
        return column(values, like: first)
    }

    /// `values` as a column of `like`'s type.
    static func column(_ values: [Value?], like: Column) -> Column {
        switch like {
        case .int64, .int8, .int16, .int32:
            return .int64(values.map { if case .int64(let x)? = $0 { x } else { nil } })
        case .float64:
            return .float64(values.map { if case .float64(let x)? = $0 { x } else { nil } })
        case .bool:
            return .bool(values.map { if case .bool(let x)? = $0 { x } else { nil } })
        case .timestamp:
            return .timestamp(values.map { if case .timestamp(let x)? = $0 { x } else { nil } })
        case .date:
            return .date(values.map { if case .date(let x)? = $0 { x } else { nil } })
        case .string:
            return .string(values.map { $0?.description })
        }
    }

    /// The most frequent value; ties go to the one drawn first.
    static func mode(_ cell: [Value]) -> Value {
        var counts: [Value: Int] = [:]
        for v in cell { counts[v, default: 0] += 1 }
        let top = counts.values.max() ?? 0
        return cell.first { counts[$0] == top }!
    }

    static func median(_ xs: [Double]) -> Double {
        let sorted = xs.sorted(), n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    private static func number(_ v: Value) -> Double {
        switch v {
        case .int64(let x), .timestamp(let x): Double(x)
        case .float64(let x): x
        case .date(let x): Double(x)
        case .bool(let x): x ? 1 : 0
        case .string: .nan
        }
    }

    /// `x` in the type of `like` (integers, dates and times rounded).
    private static func rebuilt(_ like: Value, _ x: Double) -> Value {
        switch like {
        case .int64: .int64(Int64(x.rounded()))
        case .timestamp: .timestamp(Int64(x.rounded()))
        case .date: .date(Int32(x.rounded()))
        default: .float64(x)
        }
    }
}
