import DoppelParallel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DoppelTable

/// Final statistics of a numeric column, its AUTO type resolved.
public enum NumericStats: Sendable, Equatable {
    case discrete(DiscreteStats)
    case binned(BinnedStats)
    case digit(DigitStats)

    public var encodingType: EncodingType {
        switch self {
        case .discrete: .numericDiscrete
        case .binned: .numericBinned
        case .digit: .numericDigit
        }
    }
}

extension NumericPartial {
    /// Protects bounds and values and resolves AUTO: DISCRETE when value counts exist and more
    /// than 99.9 % of subjects hold non-rare values, else DIGIT when at most three digit positions
    /// are used and the values fit the digit range, else BINNED.
    ///
    /// With DP, half of ε goes to the bounds; the precision, the value counts (DISCRETE, AUTO) and
    /// the point-mass counts (BINNED, AUTO) share the other half evenly.
    public func finalize(_ context: FinalizeContext) throws(EncodingError) -> NumericStats {
        var random = context.random("numeric")
        let epsilon = context.protection.activeEpsilon
        let needsCounts = declared == .numericAuto || declared == .numericDiscrete
        let needsPoints = declared == .numericAuto || declared == .numericBinned
        // Half of ε locates the bounds; precision, value counts and point counts share the rest.
        let share = epsilon.map { $0 / 2 / Double(1 + (needsCounts ? 1 : 0) + (needsPoints ? 1 : 0)) }
        let rawBounds = protectedBounds(context.protection, epsilon: epsilon.map { $0 / 2 }, random: &random)
        let lowest = lowestPosition(context.protection, epsilon: share, random: &random)
        let discrete = needsCounts ? discreteValues(context.protection, epsilon: share, random: &random) : nil
        let minDecimal = min(0, lowest ?? 0)
        // Bounds on the lattice of decoded values (multiples of 10^minDecimal, 1 for integer
        // types): a DP bound is a cell edge, and a protected bound may carry digits below the
        // protected precision.
        let integer = sourceType != .float64 && sourceType != .string
        let lattice = Lattice(exponent: integer ? 0 : minDecimal)
        var bounds = rawBounds
        if let r = rawBounds, let lattice {
            let lo = lattice.snapUp(r.min), hi = lattice.snapDown(r.max)
            bounds = lo <= hi ? (lo, hi) : (lattice.snapDown(r.min), lattice.snapDown(r.min))
        }
        let top = bounds.map { Self.leadingPosition(max($0.min.magnitude, $0.max.magnitude)) }
        // Positions between the protected precision and the bounds' leading digit.
        let usedCount = lowest.map { max(0, (top?.position ?? 0) - $0 + 1) } ?? 0
        var type = declared
        if type == .numericAuto {
            if let d = discrete, d.ratio > NumericConstants.autoDiscreteMinNonRare {
                type = .numericDiscrete
            } else if usedCount <= NumericConstants.autoDigitMaxPositions,
                      bounds.map({ max($0.min.magnitude, $0.max.magnitude) < DigitSplit.limit }) ?? (outOfDigitRange == 0) {
                type = .numericDigit
            } else {
                type = .numericBinned
            }
        }
        let hasNull = nulls > 0
        switch type {
        case .numericDiscrete:
            guard let d = discrete else { throw EncodingError(column: context.column, "no value counts for a discrete column") }
            return .discrete(DiscreteStats(sourceType: sourceType, valueProtection: context.protection.enabled, hasNull: hasNull,
                                           values: d.kept, rareValueCount: d.rare))
        case .numericDigit:
            if let b = bounds, max(b.min.magnitude, b.max.magnitude) >= DigitSplit.limit {
                throw EncodingError(column: context.column, "values reach \(max(b.min.magnitude, b.max.magnitude)), beyond the digit encoding's range (|x| < 1e19); use \(EncodingType.numericBinned.rawValue)")
            }
            // Digit ranges are public (0–9), except at the top position (up to the protected
            // bounds' leading digit) and below the protected precision (only 0).
            let maxDecimal = max(top?.position ?? 0, minDecimal)
            let range = Array((minDecimal...maxDecimal).reversed())
            let maxDigits = range.map { p -> Int in
                if let l = lowest, p < l { return 0 }
                if let t = top, p == t.position { return t.digit }
                return 9
            }
            return .digit(DigitStats(sourceType: sourceType, valueProtection: context.protection.enabled, hasNull: hasNull,
                                     hasNegative: hasNegative && (bounds.map { $0.min < 0 } ?? true),
                                     min: bounds?.min, max: bounds?.max, maxDecimal: maxDecimal, minDecimal: minDecimal,
                                     minDigits: range.map { _ in 0 }, maxDigits: maxDigits))
        default:
            let b = bounds
            var pointRandom = context.random("points")
            let points = b.map { pointMasses(within: $0, context.protection, epsilon: share, random: &pointRandom) } ?? []
            var edgeRandom = context.random("edges")
            let support = edgeRandom.rareThreshold()
            let layout = b.map { binLayout($0, points: points, lattice: lattice, dp: epsilon != nil, support: support) }
            return .binned(BinnedStats(sourceType: sourceType, valueProtection: context.protection.enabled, hasNull: hasNull,
                                       min: b?.min, max: b?.max, edges: layout?.edges ?? [], points: points,
                                       subEdges: layout?.subEdges, minDecimal: minDecimal))
        }
    }

    /// Position and digit of the leading digit of `magnitude` (0 and 0 for values below 1).
    static func leadingPosition(_ magnitude: Double) -> (position: Int, digit: Int) {
        guard let digits = DigitSplit.digits(magnitude), let i = digits.firstIndex(where: { $0 != 0 }), DigitSplit.maxDecimal - i >= 0 else { return (0, 0) }
        return (DigitSplit.maxDecimal - i, Int(digits[i]))
    }

    /// The finest digit position that enough subjects need: the lowest position p such that at
    /// least 5–7 distinct subjects have their lowest non-zero digit at p or below (protection
    /// off: any subject). `nil` when no subject qualifies (all zeros, or all protected).
    ///
    /// DP: Laplace(1/ε) noise on each position's subject count (a histogram: one subject is in
    /// one bin), and the lowest position whose own noisy count reaches `5 + ln(27·20)/ε`, so that
    /// noise alone passes some position with probability below 5 % (it passed often when noisy
    /// counts were summed from E-8 up, giving integral data spurious fraction digits).
    func lowestPosition(_ protection: ValueProtection, epsilon: Double?, random: inout SeededRandom) -> Int? {
        let t = random.rareThreshold()
        var union = SubjectCount()
        let margin = epsilon.map { Double(ProtectionConstants.dpRareThreshold) + log(Double(DigitSplit.positions) * 20) / $0 } ?? 0
        for p in DigitSplit.minDecimal...DigitSplit.maxDecimal {
            let bin = lowestDigit[DigitSplit.index(ofPosition: p)]
            if let epsilon {
                if Double(bin.subjects) + DifferentialPrivacy.laplace(scale: 1 / epsilon, random: &random) >= margin { return p }
            } else {
                union.merge(bin)
                if protection.enabled ? union.distinctSubjects >= t : union.rows > 0 { return p }
            }
        }
        return nil
    }

    /// Bounds: DP quantiles (1 %, 99 %) on the log grid, else the protected per-subject extremes.
    func protectedBounds(_ protection: ValueProtection, epsilon: Double?, random: inout SeededRandom) -> (min: Double, max: Double)? {
        guard values > 0 else { return nil }
        var result: (min: Double, max: Double)?
        if let epsilon {
            result = DifferentialPrivacy.bounds(histogram.logGrid.logGridValues, epsilon: epsilon, random: &random).map { (min: $0.0, max: $0.1) }
        } else {
            result = extremes.bounds(protected: protection.enabled, random: &random).map { (min: $0.min, max: $0.max) }
        }
        if sourceType != .float64 && sourceType != .string, let r = result {
            result = (r.min.rounded(.up), r.max.rounded(.down))
            if result!.min > result!.max { result = (r.min.rounded(.down), r.min.rounded(.down)) }
        }
        return result
    }

    /// Kept values (numerically sorted), the number folded into `_RARE_` and the non-rare share.
    func discreteValues(_ protection: ValueProtection, epsilon: Double?, random: inout SeededRandom) -> (kept: [String], rare: Int, ratio: Double)? {
        guard let counts = valueCounts else { return nil }
        let sorted = counts.keys.sorted { (Double($0) ?? 0, $0) < (Double($1) ?? 0, $1) }
        let total = sorted.reduce(0) { $0 + counts[$1]!.subjects }
        if let epsilon {
            let r = DifferentialPrivacy.nonRare(sorted.map { ($0, counts[$0]!.subjects) }, epsilon: epsilon, threshold: ProtectionConstants.dpRareThreshold, random: &random)
            return (r.kept, sorted.count - r.kept.count, r.ratio)
        }
        guard protection.enabled else { return (sorted, 0, 1) }
        let t = random.rareThreshold()
        let kept = sorted.filter { counts[$0]!.distinctSubjects >= t }
        let keptSubjects = kept.reduce(0) { $0 + counts[$1]!.subjects }
        return (kept, sorted.count - kept.count, total > 0 ? Double(keptSubjects) / Double(total) : 0)
    }

    /// Point masses: candidate values (zero and values with few significant digits, see
    /// ``NumericPartial/pointCounts``) strictly between the bounds that at least 5–7 distinct
    /// subjects hold (DP: a Laplace-noised subject count of at least 5) and that hold at least
    /// 1 % of the present values (DP: by the noisy count); at most ten, the most frequent.
    func pointMasses(within b: (min: Double, max: Double), _ protection: ValueProtection, epsilon: Double?, random: inout SeededRandom) -> [Double] {
        guard let counts = pointCounts, values > 0 else { return [] }
        let candidates = counts.compactMap { label, c -> (value: Double, count: SubjectCount)? in
            guard let v = Double(label) else { return nil }
            return (v, c)
        }.sorted { $0.value < $1.value }
        let minimum = NumericConstants.pointMinShare * Double(values)
        var kept: [(value: Double, weight: Int)] = []
        if let epsilon {
            // Noise is drawn for every candidate in value order, whatever its position.
            for c in candidates {
                let n = DifferentialPrivacy.noisyCount(c.count.subjects, epsilon: epsilon, random: &random)
                if n >= ProtectionConstants.dpRareThreshold && Double(n) >= minimum && c.value > b.min && c.value < b.max { kept.append((c.value, n)) }
            }
        } else {
            let t = random.rareThreshold()
            for c in candidates where c.value > b.min && c.value < b.max && Double(c.count.rows) >= minimum {
                if !protection.enabled || c.count.distinctSubjects >= t { kept.append((c.value, c.count.rows)) }
            }
        }
        kept.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.value < $1.value }
        return kept.prefix(NumericConstants.maxPoints).map(\.value).sorted()
    }

    /// Bin edges and sub-bin edges between the protected bounds.
    ///
    /// Without DP: at most 101 distinct edges, quantiles of the fine histogram (bin anchors of the
    /// public grid, never raw data values, with the point masses and the rows at the bounds taken
    /// out) clipped to the bounds and moved up to the lattice of decoded values, refined until 101
    /// distinct edges exist (more quantiles each round, as many as are missing); with more, evenly
    /// spaced ones are kept (the reference keeps the first 51 and last 50, which, after a large
    /// refinement step, left one bin in the middle holding 40 % of a small column). At
    /// most one bin per 10 values. Each bin is split into up to 8 sub-bins at the quantiles of its
    /// own histogram mass (at most one sub-bin per 5 values of the bin).
    ///
    /// An edge is the anchor of the finest grid bin around the quantile that holds at least
    /// `support` (5–7) values, coarsening up to ``LogGrid``: where the data are dense an edge
    /// resolves them, where they are sparse (tails) it never pins down a single value.
    ///
    /// Under DP: 100 equal-width bins of 8 equal-width sub-bins (nothing but the bounds is read).
    func binLayout(_ b: (min: Double, max: Double), points: [Double], lattice: Lattice?, dp: Bool, support: Int) -> (edges: [Double], subEdges: [[Double]]) {
        func snap(_ x: Double) -> Double { Swift.min(Swift.max(lattice?.snapUp(x) ?? x, b.min), b.max) }
        let s = NumericConstants.maxSubBins
        if b.min == b.max { return ([b.min, b.max], [[]]) }
        if dp {
            let n = NumericConstants.maxBins
            var edges = Array(Set((0...n).map { snap(b.min + (b.max - b.min) * Double($0) / Double(n)) } + [b.min, b.max])).sorted()
            if edges.count < 2 { edges = [b.min, b.max] }
            let sub = (0..<edges.count - 1).map { k -> [Double] in
                let lo = edges[k], hi = edges[k + 1]
                return Array(Set((1..<s).map { snap(lo + (hi - lo) * Double($0) / Double(s)) }.filter { $0 > lo && $0 < hi })).sorted()
            }
            return (edges, sub)
        }
        var histogram = self.histogram
        for p in points + [b.min, b.max] {
            if let c = pointCounts?[Self.label(p, integer: sourceType != .float64 && sourceType != .string)] { histogram.remove(c.rows, at: p) }
        }
        let mass = histogram.anchoredCounts
        let total = mass.reduce(0) { $0 + $1.count }
        // The histogram at every level from its own up to LogGrid, for the support rule.
        let levels = (histogram.level...AdaptiveHistogram.maxLevel).map { histogram.coarsened(to: $0) }
        func edge(_ i: Int) -> Double {
            let fine = histogram.bins.keys[i]
            for (d, h) in levels.enumerated() {
                let k = fine >> Int64(d)
                if h.bins.count(of: k) >= support { return snap(h.anchor(k)) }
            }
            return snap(levels[levels.count - 1].anchor(fine >> Int64(levels.count - 1)))
        }
        // At most one bin per 10 values, so that small columns do not get an edge per subject.
        let n = max(1, min(NumericConstants.maxBins, total / NumericConstants.valuesPerBin))
        // Anchor of the bin holding rank q·(total−1) (nearest rank), for ascending qs.
        func quantiles(_ qs: [Double]) -> [Double] {
            var out: [Double] = []
            var i = 0, cumulative = 0
            for q in qs {
                let target = Int((q * Double(total - 1)).rounded())
                while i < mass.count - 1 && cumulative + mass[i].count <= target { cumulative += mass[i].count; i += 1 }
                out.append(edge(i))
            }
            return out
        }
        var edges: [Double] = [b.min, b.max]
        if total > 0 {
            // More quantiles while duplicates (dense anchors) leave fewer than n + 1 distinct
            // edges, adding as many as are missing each round (the reference's search).
            var m = n
            while true {
                edges = Set(quantiles((0...m).map { Double($0) / Double(m) }) + [b.min, b.max]).sorted()
                if edges.count >= n + 1 || m >= 10 * n { break }
                m += n + 1 - edges.count
            }
        }
        if edges.count > n + 1 { edges = Self.thinned(edges, to: n + 1) }
        // Sub-bins: the mass of each bin (by anchor) split at its own quantiles.
        var sub: [[Double]] = []
        var start = 0
        for k in 0..<edges.count - 1 {
            let lo = edges[k], hi = edges[k + 1]
            while start < mass.count && snap(mass[start].value) < lo { start += 1 }
            var end = start
            var count = 0
            while end < mass.count && (snap(mass[end].value) < hi || k == edges.count - 2) { count += mass[end].count; end += 1 }
            let parts = min(s, count / ProtectionConstants.rareThreshold)
            var inner = Set<Double>()
            if parts > 1 {
                var cumulative = 0, i = start
                for j in 1..<parts {
                    let target = count * j / parts
                    while i < end - 1 && cumulative + mass[i].count <= target { cumulative += mass[i].count; i += 1 }
                    let e = edge(i)
                    if e > lo && e < hi { inner.insert(e) }
                }
            }
            sub.append(inner.sorted())
            start = end
        }
        return (edges, sub)
    }

    /// `count` of the ascending `edges`, evenly spaced by index, first and last kept (the edges
    /// come from evenly spaced quantiles, so this keeps the bins' masses even across the range).
    static func thinned(_ edges: [Double], to count: Int) -> [Double] {
        guard count >= 2, edges.count > count else { return edges }
        let last = edges.count - 1
        return (0..<count).map { edges[($0 * last + (count - 1) / 2) / (count - 1)] }
    }

    /// Canonical text of a value (the key of ``valueCounts`` and ``pointCounts``).
    static func label(_ v: Double, integer: Bool) -> String {
        integer && v.magnitude < 9.2e18 ? String(Int64(v)) : String(v == 0 ? 0 : v)
    }
}
