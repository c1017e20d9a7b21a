import DoppelTable

/// Combines the draws of imputed columns cell by cell (`--impute-draws K --aggregate …`), on the
/// columns' own value types (no boxed values).
///
/// A cell's value is made from its non-missing draws, in draw order: none → missing; all equal →
/// that value; otherwise `mode` (the most frequent, ties to the one drawn first), or for numbers,
/// dates and times `mean` / `median` (integers, dates and times rounded). Other columns (text,
/// booleans) always take the mode.
enum ImputeAggregation {
    /// One column from `draws` (the same column of K generated tables, equal length and type).
    static func combine(_ draws: [Column], _ how: ImputeAggregate) -> Column {
        guard draws.count > 1 else { return draws.first ?? .string([]) }
        // int8/16/32 columns combine (and come back) as int64, the pipeline's one integer type.
        let draws = draws.map { $0.widenedToInt64() }
        let rows = draws[0].count
        func integers(_ columns: [PrimitiveColumn<Int64>]) -> [Int64?] {
            combined(columns.map { c in { c[$0] } }, rows: rows, how, toDouble: { Double($0) }, fromDouble: { Int64($0.rounded()) })
        }
        switch draws[0] {
        case .int64, .int8, .int16, .int32: return .int64(integers(draws.compactMap { if case .int64(let c) = $0 { c } else { nil } }))
        case .timestamp: return .timestamp(integers(draws.compactMap { if case .timestamp(let c) = $0 { c } else { nil } }))
        case .date:
            let columns = draws.compactMap { if case .date(let c) = $0 { c } else { nil } }
            return .date(combined(columns.map { c in { c[$0] } }, rows: rows, how, toDouble: { Double($0) },
                                  fromDouble: { Int32($0.rounded()) }))
        case .float64:
            let columns = draws.compactMap { if case .float64(let c) = $0 { c } else { nil } }
            return .float64(combined(columns.map { c in { c[$0] } }, rows: rows, how, toDouble: { $0 }, fromDouble: { $0 }))
        case .bool:
            let columns = draws.compactMap { if case .bool(let c) = $0 { c } else { nil } }
            return .bool(combined(columns.map { c in { c[$0].map { $0 != 0 } } }, rows: rows, .mode))
        case .string:
            let columns = draws.compactMap { if case .string(let c) = $0 { c } else { nil } }
            return .string(combined(columns.map { c in { c[$0] } }, rows: rows, .mode))
        }
    }

    /// The combined value of every row from the draws' readers (`nil` = missing); mean and
    /// median go through `toDouble`/`fromDouble` when given, else every disagreement is a mode.
    private static func combined<T: Equatable>(_ draws: [(Int) -> T?], rows: Int, _ how: ImputeAggregate,
                                               toDouble: ((T) -> Double)? = nil, fromDouble: ((Double) -> T)? = nil) -> [T?] {
        var cell: [T] = []
        cell.reserveCapacity(draws.count)
        return (0..<rows).map { row in
            cell.removeAll(keepingCapacity: true)
            for draw in draws { if let value = draw(row) { cell.append(value) } }
            guard let firstValue = cell.first else { return nil }
            if cell.allSatisfy({ $0 == firstValue }) { return firstValue }
            guard let toDouble, let fromDouble else { return mode(cell) }
            switch how {
            case .mode: return mode(cell)
            case .mean: return fromDouble(cell.map(toDouble).reduce(0, +) / Double(cell.count))
            case .median: return fromDouble(median(cell.map(toDouble)))
            }
        }
    }

    /// The most frequent value; ties go to the one drawn first.
    static func mode<T: Equatable>(_ cell: [T]) -> T {
        var best = cell[0], bestCount = 0
        for (i, value) in cell.enumerated() where !cell[..<i].contains(value) {
            let count = cell[i...].reduce(0) { $1 == value ? $0 + 1 : $0 }
            if count > bestCount { (best, bestCount) = (value, count) }
        }
        return best
    }

    static func median(_ xs: [Double]) -> Double {
        let sorted = xs.sorted(), n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
