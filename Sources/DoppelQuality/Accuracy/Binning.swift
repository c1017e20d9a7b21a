import DoppelTable
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Special bin labels, as in mostlyai-qa.
public enum BinLabel {
    public static let missing = "(n/a)"
    public static let other = "(other)"
    public static let empty = "(empty)"
    public static let rare = "_RARE_"
}

/// Bins of one column, always derived from the original data and then applied to any data
/// set (mostlyai-qa 1.10 `bin_data`, see docs/evaluate.md).
///
/// * numbers: every value is a bin when there are at most `bins` distinct values, else about
///   `bins` quantile bins found by ``searchBreaks(_:bins:)``; break points are floored to the
///   fewest decimals that keep them distinct (the last stays exact); values are clipped to
///   [first, last] break, bins are left-closed, the last one is widened by +1; `NaN` → `(n/a)`;
/// * times: the same without the flooring; a single-valued column gets a break one day later;
///   the last bin is widened by one day; no values at all → breaks 1700-01-01 and 2200-01-01;
/// * categories: the `bins` most frequent values seen at least 5 times (sorted by name) keep a
///   bin; `(empty)`, `(other)`, `_RARE_` and `(n/a)` always have one; all else → `(other)`.
public struct ColumnBins: Sendable {
    public enum Rule: Sendable {
        /// Lower edges of the bins (floored for numbers) and the exact last break.
        case breaks(edges: [Double], last: Double, widen: Double)
        /// Category names with a bin of their own, in bin order (specials last).
        case categories([String])
    }

    public let rule: Rule
    /// Display names of the bins; the last bin of every column is `(n/a)`.
    public let labels: [String]

    public var binCount: Int { labels.count }
    public var missingBin: Int { labels.count - 1 }

    static let dayMicros = 86_400_000_000.0
    static let minCategoryCount = 5

    /// Derives bins for `column` with `bins` regular bins.
    public init(fitting column: MetricColumn, bins: Int = 10) {
        switch column {
        case .numeric(let values):
            var breaks = ColumnBins.numericBreaks(values, bins: bins)
            breaks = ColumnBins.floorBreaks(breaks)
            rule = .breaks(edges: Array(breaks.dropLast()), last: breaks.last!, widen: 1)
            labels = breaks.dropLast().map(ColumnBins.numberLabel) + [BinLabel.missing]
        case .temporal(let values):
            let breaks = ColumnBins.temporalBreaks(values, bins: bins)
            rule = .breaks(edges: Array(breaks.dropLast()), last: breaks.last!, widen: ColumnBins.dayMicros)
            labels = ColumnBins.timeLabels(breaks) + [BinLabel.missing]
        case .categorical(let codes, let dictionary):
            let top = ColumnBins.topCategories(codes: codes, dictionary: dictionary, bins: bins)
            let specials = [BinLabel.empty, BinLabel.other, BinLabel.rare, BinLabel.missing]
            let names = top.filter { !specials.contains($0) } + specials
            rule = .categories(names)
            labels = names
        }
    }

    /// Bin index of every row of `column` (coerced to the fitted kind beforehand).
    public func apply(_ column: MetricColumn) -> [UInt16] {
        switch (rule, column) {
        case (.breaks(let edges, let last, let widen), .numeric(let values)), (.breaks(let edges, let last, let widen), .temporal(let values)):
            let lowest = edges.first ?? last
            let upper = last + widen
            let missing = UInt16(missingBin)
            return values.map { x in
                if x.isNaN { return missing }
                let v = min(max(x, lowest), last)
                guard v < upper else { return missing }
                // Largest edge ≤ v (edges are few: a linear scan from the top is fastest).
                var j = edges.count - 1
                while j > 0 && edges[j] > v { j -= 1 }
                return UInt16(j)
            }
        case (.categories(let names), .categorical(let codes, let dictionary)):
            var binOf: [String: UInt16] = [:]
            for (i, n) in names.enumerated() { binOf[n] = UInt16(i) }
            let other = binOf[BinLabel.other]!
            let mapped: [UInt16] = dictionary.map { name in binOf[name.isEmpty ? BinLabel.empty : name] ?? other }
            let missing = UInt16(missingBin)
            return codes.map { $0 >= 0 ? mapped[Int($0)] : missing }
        case (.categories, _):
            return apply(column.coerced(to: .categorical))
        case (.breaks, .categorical):
            return apply(column.coerced(to: .numeric))
        }
    }

    // MARK: numbers and times

    static func numericBreaks(_ values: [Double], bins: Int) -> [Double] {
        let present = values.filter { !$0.isNaN }
        let distinct = Set(present)
        var breaks: [Double]
        if distinct.count <= bins {
            breaks = distinct.sorted()
            if let m = breaks.last { breaks.append(m + 1) }
        } else {
            breaks = searchBreaks(present.sorted(), bins: bins)
        }
        breaks = Array(Set(breaks)).sorted()
        return breaks.isEmpty ? [-1e10, 1e10] : breaks
    }

    static func temporalBreaks(_ values: [Double], bins: Int) -> [Double] {
        let present = values.filter { !$0.isNaN }
        let distinct = Set(present)
        var breaks: [Double]
        if distinct.count == 1 {
            breaks = [present[0], present[0] + dayMicros]
        } else {
            breaks = searchBreaks(present.sorted(), bins: bins)
        }
        breaks = Array(Set(breaks)).sorted()
        if breaks.isEmpty {
            breaks = [Double(TemporalFormat.daysFromCivil(year: 1700, month: 1, day: 1)) * dayMicros,
                      Double(TemporalFormat.daysFromCivil(year: 2200, month: 1, day: 1)) * dayMicros]
        }
        return breaks
    }

    /// Greedy search for `bins + 1` distinct break points among the sorted values: take the
    /// values at `linspace(0, n − 1, k)` (truncated to integers, as NumPy computes it) for
    /// k = bins, bins + 1, … until enough distinct values come out (at most k < 1000).
    static func searchBreaks(_ sorted: [Double], bins: Int) -> [Double] {
        let n = sorted.count
        guard n > 0 else { return [] }
        var breaks: [Double] = []
        let end = max(bins + 1, min(1000, n + 1))
        for k in bins..<end {
            var picked = Set<Double>()
            let step = Double(n - 1) / Double(k - 1)
            for i in 0..<k {
                let position = i == k - 1 ? n - 1 : Int(Double(i) * step)
                picked.insert(sorted[position])
            }
            breaks = picked.sorted()
            if breaks.count >= bins + 1 { break }
        }
        return breaks
    }

    /// Floors all but the last break to the smallest number of decimals (0…19) that keeps them
    /// distinct.
    static func floorBreaks(_ breaks: [Double]) -> [Double] {
        for precision in 0..<20 {
            let scale = pow(10.0, Double(precision))
            let floored = breaks.map { floor($0 * scale) / scale }
            if Set(floored).count == breaks.count {
                return Array(floored.dropLast()) + [breaks.last!]
            }
        }
        return breaks
    }

    /// Labels of time bins in the shortest of year, year-month, date, minutes, seconds and full
    /// precision that tells all breaks apart (as mostlyai-qa labels them).
    static func timeLabels(_ breaks: [Double]) -> [String] {
        let full = breaks.map { TemporalParsing.format($0) }
        for length in [4, 7, 10, 16, 19] {
            let cut = full.map { String($0.prefix(length)) }
            if Set(cut).count == cut.count { return Array(cut.dropLast()) }
        }
        return Array(full.dropLast())
    }

    static func numberLabel(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(x)
    }

    // MARK: categories

    /// The `bins` most frequent labels with at least 5 rows, sorted by name. Missing values
    /// count as `(n/a)` and empty strings as `(empty)`; equal counts keep first appearance.
    static func topCategories(codes: [Int32], dictionary: [String], bins: Int) -> [String] {
        var perCode = [Int](repeating: 0, count: dictionary.count)
        var firstRow = [Int](repeating: Int.max, count: dictionary.count)
        var missing = 0, firstMissing = Int.max
        for (row, c) in codes.enumerated() {
            if c >= 0 {
                perCode[Int(c)] += 1
                if firstRow[Int(c)] == Int.max { firstRow[Int(c)] = row }
            } else {
                missing += 1
                firstMissing = min(firstMissing, row)
            }
        }
        var count: [String: Int] = [:], first: [String: Int] = [:]
        func add(_ label: String, _ n: Int, _ row: Int) {
            count[label, default: 0] += n
            first[label] = min(first[label] ?? Int.max, row)
        }
        for (code, name) in dictionary.enumerated() where perCode[code] > 0 {
            add(name.isEmpty ? BinLabel.empty : name, perCode[code], firstRow[code])
        }
        if missing > 0 { add(BinLabel.missing, missing, firstMissing) }
        let ranked = count.keys.sorted { a, b in
            count[a]! != count[b]! ? count[a]! > count[b]! : first[a]! < first[b]!
        }
        return ranked.prefix(bins).filter { count[$0]! >= minCategoryCount }.sorted()
    }
}
