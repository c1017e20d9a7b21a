import DoppelParallel

/// Partial statistics of sequence lengths: subjects per length (0 for subjects without events).
public struct SequenceLengthPartial: Codable, Sendable, Equatable {
    public var lengths: SparseHistogram

    /// `lengths`: number of target rows of each subject (include 0 for subjects without rows).
    public init(lengths: [Int]) {
        self.lengths = SparseHistogram(counting: lengths.map { Int64($0) })
    }

    public mutating func merge(_ other: SequenceLengthPartial) { lengths.merge(other.lengths) }

    /// Protected min / median / max: under 20 subjects everything is 1 (flat model); DP: the
    /// 1 %, 50 % and 99 % DP quantiles; else the 5–7 smallest and largest lengths are dropped.
    public func finalize(_ context: FinalizeContext) -> SequenceLengthStats {
        var random = context.random("sequence-length")
        var sorted: [Int] = []
        for (k, c) in zip(lengths.keys, lengths.counts) { sorted.append(contentsOf: repeatElement(Int(k), count: c)) }
        func stats(_ a: [Int]) -> SequenceLengthStats {
            guard let lo = a.first, let hi = a.last else { return SequenceLengthStats(min: 1, max: 1, median: 1, valueProtection: context.protection.enabled) }
            let mid = a.count / 2
            let median = a.count % 2 == 1 ? a[mid] : (a[mid - 1] + a[mid]) / 2
            return SequenceLengthStats(min: lo, max: hi, median: median, valueProtection: context.protection.enabled)
        }
        guard context.protection.enabled else { return stats(sorted) }
        if sorted.count < ProtectionConstants.minimumSubjectsForBounds { return stats([1]) }
        if let epsilon = context.protection.activeEpsilon, !sorted.allSatisfy({ $0 == 1 }) {
            let values = zip(lengths.keys, lengths.counts).map { (value: Double($0), count: $1) }
            guard let q = DifferentialPrivacy.quantiles(values, [0.01, 0.5, 0.99], epsilon: epsilon, random: &random) else { return stats([1]) }
            let r = q.map { max(0, Int($0.rounded())) }
            return SequenceLengthStats(min: r[0], max: max(r[2], r[0]), median: min(max(r[1], r[0]), r[2]), valueProtection: true)
        }
        let low = random.rareThreshold(), high = random.rareThreshold()
        return stats(Array(sorted[low..<(sorted.count - high)]))
    }
}

/// Sequence-length statistics of the target table.
public struct SequenceLengthStats: Codable, Sendable, Equatable {
    public var min: Int
    public var max: Int
    public var median: Int
    public var valueProtection: Bool

    /// Data whose subjects all have exactly one event is modelled flat.
    public var isSequential: Bool { !(min == 1 && max == 1) }
}
