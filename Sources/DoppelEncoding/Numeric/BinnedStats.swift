import DoppelParallel
import DoppelTable

/// A numeric column encoded as a bin index (sub-column `bin`) and, when some bin is split, a
/// sub-bin index within that bin (sub-column `sub`).
///
/// `bin` codes: `<<UNK>>` = 0, `<<NULL>>` when missing values were seen, `<<MIN>>` and `<<MAX>>`
/// (exact bounds) when bounds are known, one code per point mass (an exact value held by many
/// subjects, ascending), then one code per bin `[edges[i], edges[i+1])`. `sub` codes: the
/// sub-bin of bin `i` among `[edges[i]] + subEdges[i] + [edges[i+1]]`; 0 for every other code.
/// Without bounds (fewer than 20 subjects) every value is withheld: there are no bins and every
/// value decodes to missing.
public struct BinnedStats: Codable, Sendable, Equatable {
    public var sourceType: DataType
    public var valueProtection: Bool
    public var hasNull: Bool
    public var min: Double?
    public var max: Double?
    /// Ascending, distinct bin edges (empty without bounds).
    public var edges: [Double]
    /// Exact values with their own code, ascending, strictly between the bounds.
    public var points: [Double]
    /// Per bin: ascending interior sub-bin edges (strictly inside the bin; empty: one sub-bin).
    public var subEdges: [[Double]]
    /// Decoded values are multiples of 10^minDecimal (1 for integer columns).
    public var minDecimal: Int

    public init(sourceType: DataType, valueProtection: Bool, hasNull: Bool, min: Double?, max: Double?, edges: [Double],
                points: [Double] = [], subEdges: [[Double]]? = nil, minDecimal: Int) {
        self.sourceType = sourceType
        self.valueProtection = valueProtection
        self.hasNull = hasNull
        self.min = min
        self.max = max
        self.edges = edges
        self.points = points
        self.subEdges = subEdges ?? Array(repeating: [], count: Swift.max(0, edges.count - 1))
        self.minDecimal = minDecimal
    }

    var isInteger: Bool { sourceType != .float64 && sourceType != .string }
    var hasBounds: Bool { min != nil && max != nil && edges.count >= 2 }
    public var nullCode: Int32? { hasNull ? 1 : nil }
    public var minCode: Int32? { hasBounds ? (hasNull ? 2 : 1) : nil }
    public var maxCode: Int32? { minCode.map { $0 + 1 } }
    public var firstPointCode: Int32 { 1 + (hasNull ? 1 : 0) + (hasBounds ? 2 : 0) }
    public var pointCount: Int { hasBounds ? points.count : 0 }
    public var firstBinCode: Int32 { firstPointCode + Int32(pointCount) }
    public var binCount: Int { hasBounds ? edges.count - 1 : 0 }
    /// Cardinality of `sub`: the most sub-bins of any bin (1: no `sub` sub-column).
    public var subBinCount: Int { hasBounds ? 1 + (subEdges.map(\.count).max() ?? 0) : 1 }
    public var subColumns: [SubColumnSpec] {
        [SubColumnSpec("bin", Int(firstBinCode) + binCount)] + (subBinCount > 1 ? [SubColumnSpec("sub", subBinCount)] : [])
    }

    /// The grid decoded values lie on: multiples of `1 / scale` (`nil`: no grid, the values are
    /// too large for the precision to matter).
    var lattice: Lattice? { Lattice(exponent: isInteger ? 0 : minDecimal) }

    public func encode(_ column: Column, name: String) throws(EncodingError) -> EncodedColumn {
        let view = try NumericView.make(column, name: name).view
        let matrix = CodeMatrix(columns: subBinCount > 1 ? 2 : 1, rowCount: view.count)
        let out = matrix.pointers[0]
        let subOut: UnsafeMutablePointer<Int32>? = subBinCount > 1 ? matrix.pointers[1] : nil
        for row in 0..<view.count {
            subOut?[row] = 0
            guard view.isPresent(row) else { out[row] = nullCode ?? 0; continue }
            guard hasBounds, let lo = edges.first, let hi = edges.last else { out[row] = 0; continue }
            let x = view.double(row)
            if x == lo { out[row] = minCode!; continue }
            if x == hi { out[row] = maxCode!; continue }
            if let p = Self.exactIndex(of: x, in: points) { out[row] = firstPointCode + Int32(p); continue }
            // Bin i holds [edges[i], edges[i+1]); values outside fall into the first / last bin.
            let k = Self.interval(of: x, in: edges)
            out[row] = firstBinCode + Int32(k)
            if let subOut, !subEdges[k].isEmpty {
                // Sub-bin j of bin k: values at or above the j-th interior edge (and below the next).
                var j = 0
                while j < subEdges[k].count && subEdges[k][j] <= x { j += 1 }
                subOut[row] = Int32(j)
            }
        }
        return matrix.finish(specs: subColumns)
    }

    /// Index of `x` in the sorted `values` when present.
    static func exactIndex(of x: Double, in values: [Double]) -> Int? {
        var a = 0, b = values.count
        while a < b {
            let mid = (a + b) / 2
            if values[mid] < x { a = mid + 1 } else { b = mid }
        }
        return a < values.count && values[a] == x ? a : nil
    }

    /// The interval `[edges[i], edges[i+1])` holding `x` (clamped to the first and last).
    static func interval(of x: Double, in edges: [Double]) -> Int {
        var a = 0, b = edges.count - 1
        while b - a > 1 {
            let mid = (a + b) / 2
            if edges[mid] <= x { a = mid } else { b = mid }
        }
        return a
    }

    /// MIN/MAX → the exact bound; a point mass → its value; a bin → uniform on the lattice points
    /// of the sub-bin `[lo, hi)` (the sub code is clamped to the bin's sub-bins); UNK/NULL → missing.
    public func decode(_ codes: EncodedColumn, name: String, random: inout SeededRandom) throws(EncodingError) -> Column {
        let bin = try codes.require("bin", column: name)
        let sub = subBinCount > 1 ? try codes.require("sub", column: name) : nil
        let cardinality = Int32(subColumns[0].cardinality)
        let subCardinality = Int32(subBinCount)
        let grid = lattice
        var doubles: [Double?] = []
        doubles.reserveCapacity(bin.count)
        for i in 0..<bin.count {
            let c = bin[i]
            guard c >= 0 && c < cardinality else { throw EncodingError(column: name, "code \(c) at row \(i) is outside 0..<\(cardinality)") }
            let s = sub?[i] ?? 0
            guard s >= 0 && s < subCardinality else { throw EncodingError(column: name, "sub code \(s) at row \(i) is outside 0..<\(subCardinality)") }
            if let m = minCode, c == m { doubles.append(edges.first); continue }
            if let m = maxCode, c == m { doubles.append(edges.last); continue }
            guard c >= firstPointCode else { doubles.append(nil); continue }
            guard c >= firstBinCode else { doubles.append(points[Int(c - firstPointCode)]); continue }
            let k = Int(c - firstBinCode)
            let inner = subEdges[k]
            let j = Swift.min(Int(s), inner.count)
            let lo = j == 0 ? edges[k] : inner[j - 1]
            let hi = j == inner.count ? edges[k + 1] : inner[j]
            doubles.append(Self.draw(lo, hi, grid: grid, within: edges[0]...edges[edges.count - 1], random: &random))
        }
        if isInteger { return restoreSourceType(.int64(doubles.map { $0.map { Int64(clamping: $0) } }), sourceType: sourceType, integral: true) }
        return restoreSourceType(.float64(doubles), sourceType: sourceType, integral: minDecimal >= 0)
    }

    /// A uniform draw among the lattice points of `[lo, hi)`; the lattice point nearest the
    /// middle when the interval holds none; a plain uniform draw without a lattice. Always inside
    /// `bounds`.
    static func draw(_ lo: Double, _ hi: Double, grid: Lattice?, within bounds: ClosedRange<Double>, random: inout SeededRandom) -> Double {
        guard let grid, let first = grid.index(atOrAbove: lo), let end = grid.index(atOrAbove: hi) else {
            return Swift.min(Swift.max(lo + (hi - lo) * random.nextDouble(), bounds.lowerBound), bounds.upperBound)
        }
        let v: Double
        if end > first {
            v = grid.value(first + Int64(random.uniform(below: Int(end - first))))
        } else {
            v = grid.nearest((lo + hi) / 2) ?? lo
        }
        // The bounds are lattice points (or the lattice point next to them inside).
        if v < bounds.lowerBound { return grid.index(atOrAbove: bounds.lowerBound).map(grid.value) ?? bounds.lowerBound }
        if v > bounds.upperBound { return grid.index(atOrAbove: bounds.upperBound).map { grid.value($0) > bounds.upperBound ? grid.value($0 - 1) : grid.value($0) } ?? bounds.upperBound }
        return v
    }
}

/// Multiples of 10^exponent (exponent ≤ 0), addressed by integer index, for values whose index
/// stays below 2^52 (beyond, the lattice is finer than the doubles and not used).
struct Lattice: Sendable {
    let exponent: Int
    let scale: Double

    init?(exponent: Int) {
        guard exponent <= 0 && -exponent <= 22 else { return nil }
        self.exponent = exponent
        scale = DigitSplit.powersOfTen[-exponent]
    }

    static let limit = 0x1p52

    /// The point `index / scale` (correctly rounded, so it prints as the short decimal).
    func value(_ index: Int64) -> Double { exponent == 0 ? Double(index) : Double(index) / scale }

    /// The index of the smallest lattice point ≥ x.
    func index(atOrAbove x: Double) -> Int64? {
        let r = (x * scale).rounded()
        guard r.magnitude < Self.limit else { return nil }
        let i = Int64(r)
        if value(i) >= x { return value(i - 1) >= x ? i - 1 : i }
        return i + 1
    }

    /// The lattice point nearest x.
    func nearest(_ x: Double) -> Double? {
        let r = (x * scale).rounded()
        guard r.magnitude < Self.limit else { return nil }
        return value(Int64(r))
    }

    /// The smallest lattice point ≥ x (x itself without a usable lattice).
    func snapUp(_ x: Double) -> Double { index(atOrAbove: x).map(value) ?? x }

    /// The largest lattice point ≤ x.
    func snapDown(_ x: Double) -> Double {
        guard let i = index(atOrAbove: x) else { return x }
        return value(i) > x ? value(i - 1) : value(i)
    }
}

extension Int64 {
    /// The nearest Int64 to a finite double (saturating).
    init(clamping value: Double) {
        if value >= 9.223372036854775807e18 { self = .max } else if value <= -9.223372036854775808e18 { self = .min } else { self = Int64(value) }
    }
}
