import Foundation

/// A column after binning: one bin index per subject.
public struct BinnedColumn: Sendable {
    public let name: String
    public let bins: ColumnBins
    public let codes: [UInt16]

    public init(name: String, bins: ColumnBins, codes: [UInt16]) {
        self.name = name
        self.bins = bins
        self.codes = codes
    }
}

/// Accuracy of one (joint) distribution and the accuracy a same-size holdout would reach.
public struct AccuracyValue: Sendable, Codable, Equatable {
    public var accuracy: Double
    public var accuracyMax: Double

    enum CodingKeys: String, CodingKey {
        case accuracy
        case accuracyMax = "accuracy_max"
    }
}

/// Compares joint bin frequencies of original and synthetic data (mostlyai-qa
/// `calculate_accuracy`): accuracy = 1 − ½·Σ|p − q| (one minus the total variation distance),
/// and the expected-L1 ceiling `1 − ½·Σ sqrt(2/π · p(1 − p) · (1/n_ori + 1/n_syn))`, the mean
/// absolute difference of two binomial proportions under the normal approximation. Both are
/// rounded to 5 decimals.
enum DistributionAccuracy {
    /// Accuracy of the joint distribution of `original[i]` vs `synthetic[i]` (same columns).
    static func accuracy(original: [[UInt16]], synthetic: [[UInt16]], binCounts: [Int]) -> AccuracyValue {
        var cells = 1
        for b in binCounts { cells = cells.multipliedReportingOverflow(by: max(b, 1)).partialValue }
        let ori: [Int: Int]?, syn: [Int: Int]?
        if cells <= 1 << 22 {
            let o = denseCounts(original, binCounts: binCounts, cells: cells)
            let s = denseCounts(synthetic, binCounts: binCounts, cells: cells)
            return compare(o, s)
        } else {
            ori = sparseCounts(original, binCounts: binCounts)
            syn = sparseCounts(synthetic, binCounts: binCounts)
            let keys = Set(ori!.keys).union(syn!.keys).sorted()
            return compare(keys.map { ori![$0] ?? 0 }, keys.map { syn![$0] ?? 0 })
        }
    }

    /// Accuracy from two count vectors over the same cells.
    static func compare(_ ori: [Int], _ syn: [Int]) -> AccuracyValue {
        let nOri = Double(ori.reduce(0, +)), nSyn = Double(syn.reduce(0, +))
        guard nOri > 0, nSyn > 0 else { return AccuracyValue(accuracy: .nan, accuracyMax: .nan) }
        var l1 = 0.0, expected = 0.0
        let noise = 1 / nOri + 1 / nSyn
        for i in 0..<ori.count where ori[i] > 0 || syn[i] > 0 {
            let p = Double(ori[i]) / nOri, q = Double(syn[i]) / nSyn
            l1 += abs(p - q)
            expected += (p * (1 - p) * noise * 2 / Double.pi).squareRoot()
        }
        return AccuracyValue(accuracy: round5(1 - l1 / 2), accuracyMax: round5(1 - expected / 2))
    }

    /// NumPy's `round(x, 5)`: scale, round half to even, unscale.
    static func round5(_ x: Double) -> Double { (x * 1e5).rounded(.toNearestOrEven) / 1e5 }

    private static func denseCounts(_ columns: [[UInt16]], binCounts: [Int], cells: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: cells)
        guard let rows = columns.first?.count else { return counts }
        counts.withUnsafeMutableBufferPointer { out in
            switch columns.count {
            case 1:
                columns[0].withUnsafeBufferPointer { a in for r in 0..<rows { out[Int(a[r])] += 1 } }
            case 2:
                let bb = binCounts[1]
                columns[0].withUnsafeBufferPointer { a in columns[1].withUnsafeBufferPointer { b in
                    for r in 0..<rows { out[Int(a[r]) * bb + Int(b[r])] += 1 }
                } }
            case 3:
                let bb = binCounts[1], bc = binCounts[2]
                columns[0].withUnsafeBufferPointer { a in columns[1].withUnsafeBufferPointer { b in columns[2].withUnsafeBufferPointer { c in
                    for r in 0..<rows { out[(Int(a[r]) * bb + Int(b[r])) * bc + Int(c[r])] += 1 }
                } } }
            default:
                for r in 0..<rows {
                    var cell = 0
                    for (k, col) in columns.enumerated() { cell = cell * binCounts[k] + Int(col[r]) }
                    out[cell] += 1
                }
            }
        }
        return counts
    }

    private static func sparseCounts(_ columns: [[UInt16]], binCounts: [Int]) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        guard let rows = columns.first?.count else { return counts }
        for r in 0..<rows {
            var cell = 0
            for (k, col) in columns.enumerated() { cell = cell &* binCounts[k] &+ Int(col[r]) }
            counts[cell, default: 0] += 1
        }
        return counts
    }
}
