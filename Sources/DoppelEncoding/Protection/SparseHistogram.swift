/// Counts per integer bin, stored sparsely as sorted `(key, count)` pairs.
///
/// Fixed bins make the histogram exactly mergeable (merge adds counts), so quantiles and DP
/// mechanisms computed from it do not depend on how partials were grouped. Bins come from a
/// public grid: ``LogGrid`` for numbers, days since 1970 for dates.
public struct SparseHistogram: Codable, Sendable, Equatable {
    public private(set) var keys: [Int64] = []
    public private(set) var counts: [Int] = []

    public init() {}

    /// A histogram from ascending keys and their counts.
    init(keys: [Int64], counts: [Int]) {
        self.keys = keys
        self.counts = counts
    }

    /// `(anchor value, count)` pairs in ascending order, for histograms on ``LogGrid``.
    var logGridValues: [(value: Double, count: Int)] { zip(keys, counts).map { (LogGrid.anchor($0), $1) } }

    /// Builds the histogram of `bins` (any order, repeats allowed): a dense count array when the
    /// keys span a small range, else a hash count; only the distinct keys are sorted.
    init(counting bins: [Int64]) {
        guard let low = bins.min(), let high = bins.max() else { return }
        let span = high.subtractingReportingOverflow(low)
        if !span.overflow, span.partialValue < Int64(min(1 << 20, 4 * bins.count + 64)) {
            var dense = [Int](repeating: 0, count: Int(span.partialValue) + 1)
            for b in bins { dense[Int(b &- low)] += 1 }
            for (offset, c) in dense.enumerated() where c > 0 {
                keys.append(low &+ Int64(offset))
                counts.append(c)
            }
            return
        }
        var table: [Int64: Int] = [:]
        for b in bins { table[b, default: 0] += 1 }
        keys = table.keys.sorted()
        counts = keys.map { table[$0] ?? 0 }
    }

    public var total: Int { counts.reduce(0, +) }
    public var isEmpty: Bool { keys.isEmpty }

    public mutating func merge(_ other: SparseHistogram) {
        var k: [Int64] = [], c: [Int] = []
        k.reserveCapacity(keys.count + other.keys.count)
        var i = 0, j = 0
        while i < keys.count || j < other.keys.count {
            if j == other.keys.count || (i < keys.count && keys[i] < other.keys[j]) {
                k.append(keys[i]); c.append(counts[i]); i += 1
            } else if i == keys.count || other.keys[j] < keys[i] {
                k.append(other.keys[j]); c.append(other.counts[j]); j += 1
            } else {
                k.append(keys[i]); c.append(counts[i] + other.counts[j]); i += 1; j += 1
            }
        }
        keys = k
        counts = c
    }

    /// The bin holding the value of rank `q · (total - 1)` (nearest rank), for `q` in [0, 1].
    public func quantileKey(_ q: Double) -> Int64? {
        guard !keys.isEmpty else { return nil }
        let target = Int((q * Double(total - 1)).rounded())
        var cumulative = 0
        for (k, c) in zip(keys, counts) {
            cumulative += c
            if cumulative > target { return k }
        }
        return keys.last
    }
}

/// A public grid over `Double`s with 256 bins per power of two (relative width 2⁻⁸ ≈ 0.4 %).
///
/// The bin key is the top 20 bits of the IEEE-754 pattern of `|x|` (exponent + 8 mantissa bits),
/// negated (minus one) for negative values, so keys are ordered like values. A bin's *anchor* is
/// its boundary nearest zero: exact for integers up to 512 and for every value with at most 9
/// significant bits, so small integer data keeps exact bin edges.
public enum LogGrid {
    static let shift: UInt64 = 44

    @inlinable public static func key(_ x: Double) -> Int64 {
        let m = Int64(bitPattern: x.magnitude.bitPattern >> 44)
        return x < 0 ? -m - 1 : m
    }

    /// The bin's boundary nearest zero.
    public static func anchor(_ key: Int64) -> Double {
        key >= 0 ? Double(bitPattern: UInt64(key) << shift) : -Double(bitPattern: UInt64(-key - 1) << shift)
    }
}
