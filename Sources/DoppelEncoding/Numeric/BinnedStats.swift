import DoppelParallel
import DoppelTable

/// A numeric column encoded as a bin index (sub-column `bin`): `<<UNK>>` = 0, `<<NULL>>` when
/// missing values were seen, `<<MIN>>` and `<<MAX>>` (exact bounds) when bounds are known, then
/// one code per bin `[edges[i], edges[i+1])`. Without bounds (fewer than 20 subjects) every value
/// is withheld: there are no bins and every value decodes to missing.
public struct BinnedStats: Codable, Sendable, Equatable {
    public var sourceType: DataType
    public var valueProtection: Bool
    public var hasNull: Bool
    public var min: Double?
    public var max: Double?
    /// Ascending, distinct bin edges (empty without bounds).
    public var edges: [Double]
    /// Decoded values are truncated to 10^minDecimal.
    public var minDecimal: Int

    var isInteger: Bool { sourceType != .float64 && sourceType != .string }
    var hasBounds: Bool { min != nil && max != nil && edges.count >= 2 }
    public var nullCode: Int32? { hasNull ? 1 : nil }
    public var minCode: Int32? { hasBounds ? (hasNull ? 2 : 1) : nil }
    public var maxCode: Int32? { minCode.map { $0 + 1 } }
    public var firstBinCode: Int32 { 1 + (hasNull ? 1 : 0) + (hasBounds ? 2 : 0) }
    public var binCount: Int { hasBounds ? edges.count - 1 : 0 }
    public var subColumns: [SubColumnSpec] { [SubColumnSpec("bin", Int(firstBinCode) + binCount)] }

    public func encode(_ column: Column, name: String) throws(EncodingError) -> EncodedColumn {
        let view = try NumericView.make(column, name: name).view
        let matrix = CodeMatrix(columns: 1, rowCount: view.count)
        let out = matrix.pointers[0]
        for row in 0..<view.count {
            guard view.isPresent(row) else { out[row] = nullCode ?? 0; continue }
            guard hasBounds, let lo = edges.first, let hi = edges.last else { out[row] = 0; continue }
            let x = view.double(row)
            if x == lo { out[row] = minCode!; continue }
            if x == hi { out[row] = maxCode!; continue }
            // Bin i holds [edges[i], edges[i+1]); values outside fall into the first / last bin.
            var a = 0, b = edges.count - 1
            while b - a > 1 {
                let mid = (a + b) / 2
                if edges[mid] <= x { a = mid } else { b = mid }
            }
            out[row] = firstBinCode + Int32(a)
        }
        return matrix.finish(specs: subColumns)
    }

    /// MIN/MAX → the exact bound; a bin → uniform in `[lo, hi)` truncated to 10^minDecimal;
    /// UNK/NULL → missing.
    public func decode(_ codes: EncodedColumn, name: String, random: inout SeededRandom) throws(EncodingError) -> Column {
        let bin = try codes.require("bin", column: name)
        let cardinality = Int32(subColumns[0].cardinality)
        var doubles: [Double?] = []
        doubles.reserveCapacity(bin.count)
        let scale = DigitSplit.powersOfTen[Swift.min(-minDecimal, 22)]
        for i in 0..<bin.count {
            let c = bin[i]
            guard c >= 0 && c < cardinality else { throw EncodingError(column: name, "code \(c) at row \(i) is outside 0..<\(cardinality)") }
            if let m = minCode, c == m { doubles.append(edges.first); continue }
            if let m = maxCode, c == m { doubles.append(edges.last); continue }
            guard c >= firstBinCode else { doubles.append(nil); continue }
            let k = Int(c - firstBinCode)
            let lo = edges[k], hi = edges[k + 1]
            var v = lo + (hi - lo) * random.nextDouble()
            v = isInteger ? v.rounded(.down) : (v * scale).rounded(.down) / scale
            doubles.append(Swift.min(Swift.max(v, lo), hi))
        }
        if isInteger { return restoreSourceType(.int64(doubles.map { $0.map { Int64(clamping: $0) } }), sourceType: sourceType, integral: true) }
        return restoreSourceType(.float64(doubles), sourceType: sourceType, integral: minDecimal >= 0)
    }
}

extension Int64 {
    /// The nearest Int64 to a finite double (saturating).
    init(clamping value: Double) {
        if value >= 9.223372036854775807e18 { self = .max } else if value <= -9.223372036854775808e18 { self = .min } else { self = Int64(value) }
    }
}
