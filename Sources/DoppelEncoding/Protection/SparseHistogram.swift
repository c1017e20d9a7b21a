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

    /// The count of `key` (0 when absent).
    public func count(of key: Int64) -> Int {
        var a = 0, b = keys.count
        while a < b {
            let mid = (a + b) / 2
            if keys[mid] < key { a = mid + 1 } else { b = mid }
        }
        return a < keys.count && keys[a] == key ? counts[a] : 0
    }

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

/// A histogram on a public grid of 2^20 bins per power of two (relative width 2⁻²⁰ ≈ 10⁻⁶),
/// coarsened by whole mantissa bits until it has at most ``maxKeys`` occupied bins, but never
/// beyond ``LogGrid`` (8 mantissa bits).
///
/// At level `l` the key of `x` is the top `32 − l` bits of the IEEE-754 pattern of `|x|`
/// (negated minus one for negative values, like ``LogGrid``); level 12 *is* ``LogGrid``. A
/// coarser key is an arithmetic shift of a finer one, so coarsening adds neighbouring counts.
///
/// The level is the finest one whose occupied-bin count is at most ``maxKeys``. Merging brings
/// both sides to the coarser level, adds counts and coarsens again. This is exact under any
/// grouping: the number of occupied bins of a union at a level is at least that of each part, so
/// the finest admissible level of the union is never finer than a part's, and the merged result
/// equals the histogram of the whole data.
public struct AdaptiveHistogram: Codable, Sendable, Equatable {
    /// Bit shift of the finest grid (20 mantissa bits).
    static let finestShift: UInt64 = 32
    /// The coarsest level: ``LogGrid``.
    public static let maxLevel = 12
    /// Occupied bins beyond which the grid is coarsened.
    public static let maxKeys = 4096

    public private(set) var level: Int = 0
    public private(set) var bins = SparseHistogram()

    public init() {}

    /// The histogram of values given by their ``finestKey(_:)``s (any order).
    ///
    /// Keys spanning a small range are counted densely. Otherwise a hash count coarsens itself
    /// whenever it holds more than 4 × ``maxKeys`` keys: the finest admissible level is coarser
    /// than any level at which some of the values already occupy that many bins, so the result is
    /// the same as counting everything at the finest level first, and the table stays small.
    init(finestKeys: [Int64]) {
        guard let low = finestKeys.min(), let high = finestKeys.max() else { return }
        let span = high.subtractingReportingOverflow(low)
        if !span.overflow, span.partialValue < Int64(min(1 << 20, 4 * finestKeys.count + 64)) {
            bins = SparseHistogram(counting: finestKeys)
        } else {
            var table: [Int64: Int] = [:]
            var shift: Int64 = 0
            for k in finestKeys {
                table[k >> shift, default: 0] += 1
                while table.count > 4 * Self.maxKeys && shift < Int64(Self.maxLevel) {
                    shift += 1
                    var coarser: [Int64: Int] = [:]
                    for (key, c) in table { coarser[key >> 1, default: 0] += c }
                    table = coarser
                }
            }
            let keys = table.keys.sorted()
            level = Int(shift)
            bins = SparseHistogram(keys: keys, counts: keys.map { table[$0] ?? 0 })
        }
        coarsen()
    }

    @inline(__always) static func finestKey(_ x: Double) -> Int64 {
        let m = Int64(bitPattern: x.magnitude.bitPattern >> 32)
        return x < 0 ? -m - 1 : m
    }

    /// The key of `x` at the current level.
    func key(_ x: Double) -> Int64 { Self.finestKey(x) >> Int64(level) }

    /// The bin's boundary nearest zero.
    func anchor(_ key: Int64) -> Double {
        let shift = Self.finestShift + UInt64(level)
        return key >= 0 ? Double(bitPattern: UInt64(key) << shift) : -Double(bitPattern: UInt64(-key - 1) << shift)
    }

    public var total: Int { bins.total }

    /// The same counts at a coarser level.
    func coarsened(to newLevel: Int) -> AdaptiveHistogram {
        guard newLevel > level else { return self }
        let d = Int64(newLevel - level)
        var keys: [Int64] = [], counts: [Int] = []
        keys.reserveCapacity(bins.keys.count)
        counts.reserveCapacity(bins.keys.count)
        for (k, c) in zip(bins.keys, bins.counts) {
            let coarse = k >> d
            if keys.last == coarse { counts[counts.count - 1] += c } else { keys.append(coarse); counts.append(c) }
        }
        var out = AdaptiveHistogram()
        out.level = newLevel
        out.bins = SparseHistogram(keys: keys, counts: counts)
        return out
    }

    /// Coarsens one bit at a time while more than ``maxKeys`` bins are occupied.
    private mutating func coarsen() {
        while bins.keys.count > Self.maxKeys && level < Self.maxLevel { self = coarsened(to: level + 1) }
    }

    public mutating func merge(_ other: AdaptiveHistogram) {
        let common = max(level, other.level)
        var mine = coarsened(to: common)
        mine.bins.merge(other.coarsened(to: common).bins)
        self = mine
        coarsen()
    }

    /// The counts on ``LogGrid`` (a fixed public grid whatever the data: what the DP mechanisms use).
    var logGrid: SparseHistogram { coarsened(to: Self.maxLevel).bins }

    /// `(anchor, count)` pairs in ascending order.
    var anchoredCounts: [(value: Double, count: Int)] { zip(bins.keys, bins.counts).map { (anchor($0), $1) } }

    /// Takes `count` values at `x` out of its bin (point masses that get their own code).
    mutating func remove(_ count: Int, at x: Double) {
        let k = key(x)
        guard let i = bins.keys.firstIndex(of: k) else { return }
        var keys = bins.keys, counts = bins.counts
        counts[i] -= min(count, counts[i])
        if counts[i] == 0 { keys.remove(at: i); counts.remove(at: i) }
        bins = SparseHistogram(keys: keys, counts: counts)
    }
}
