import DoppelParallel
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
    /// With DP, ε is split evenly between the bounds, the precision (DIGIT, AUTO) and the value
    /// counts (DISCRETE, AUTO); BINNED spends it all on the bounds and then does not truncate
    /// decoded floats.
    public func finalize(_ context: FinalizeContext) throws(EncodingError) -> NumericStats {
        var random = context.random("numeric")
        let epsilon = context.protection.activeEpsilon
        let needsCounts = declared == .numericAuto || declared == .numericDiscrete
        let needsPrecision = !(declared == .numericBinned && epsilon != nil)
        let share = epsilon.map { $0 / Double(1 + (needsCounts ? 1 : 0) + (needsPrecision ? 1 : 0)) }
        let bounds = protectedBounds(context.protection, epsilon: share, random: &random)
        let top = bounds.map { Self.leadingPosition(max($0.min.magnitude, $0.max.magnitude)) }
        let lowest = needsPrecision ? lowestPosition(context.protection, epsilon: share, random: &random) : DigitSplit.minDecimal
        let discrete = needsCounts ? discreteValues(context.protection, epsilon: share, random: &random) : nil
        let minDecimal = min(0, lowest ?? 0)
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
            let edges = bounds.map { binEdges($0, dp: epsilon != nil) } ?? []
            return .binned(BinnedStats(sourceType: sourceType, valueProtection: context.protection.enabled, hasNull: hasNull,
                                       min: bounds?.min, max: bounds?.max, edges: edges, minDecimal: minDecimal))
        }
    }

    /// Position and digit of the leading digit of `magnitude` (0 and 0 for values below 1).
    static func leadingPosition(_ magnitude: Double) -> (position: Int, digit: Int) {
        guard let digits = DigitSplit.digits(magnitude), let i = digits.firstIndex(where: { $0 != 0 }), DigitSplit.maxDecimal - i >= 0 else { return (0, 0) }
        return (DigitSplit.maxDecimal - i, Int(digits[i]))
    }

    /// The finest digit position that enough subjects need: the lowest position p such that at
    /// least 5–7 distinct subjects have their lowest non-zero digit at p or below (DP: cumulative
    /// sums of Laplace-noised bins reach 5; protection off: any subject). `nil` when no subject
    /// qualifies (all zeros, or all protected).
    func lowestPosition(_ protection: ValueProtection, epsilon: Double?, random: inout SeededRandom) -> Int? {
        let t = random.rareThreshold()
        var union = SubjectCount()
        var noisy = 0.0
        for p in DigitSplit.minDecimal...DigitSplit.maxDecimal {
            let bin = lowestDigit[DigitSplit.index(ofPosition: p)]
            if let epsilon {
                noisy += Double(bin.subjects) + DifferentialPrivacy.laplace(scale: 1 / epsilon, random: &random)
                if noisy >= Double(ProtectionConstants.dpRareThreshold) { return p }
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
            result = DifferentialPrivacy.bounds(histogram.logGridValues, epsilon: epsilon, random: &random).map { (min: $0.0, max: $0.1) }
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

    /// At most 101 distinct edges: equal-width under DP, else grid quantiles (bin anchors of
    /// the fixed grid, never raw data values) between the protected bounds, refined until 101
    /// distinct edges exist; with more, the first 51 and last 50 are kept (reference rule).
    func binEdges(_ b: (min: Double, max: Double), dp: Bool) -> [Double] {
        let integer = sourceType != .float64 && sourceType != .string
        // At most one bin per 5 values, so that small columns do not get an edge per subject.
        let n = dp ? NumericConstants.maxBins : max(1, min(NumericConstants.maxBins, values / ProtectionConstants.rareThreshold))
        if b.min == b.max { return [b.min, b.max] }
        if dp {
            var edges = (0...n).map { b.min + (b.max - b.min) * Double($0) / Double(n) }
            if integer { edges = edges.map { $0.rounded(.down) } }
            edges[0] = b.min
            edges[n] = b.max
            let distinct = Array(Set(edges)).sorted()
            return distinct.count >= 2 ? distinct : [b.min, b.max]
        }
        var edges: [Double] = [b.min, b.max]
        for m in [n, 2 * n, 5 * n, 10 * n] {
            var set = Set([b.min, b.max])
            for i in 0...m {
                guard let key = histogram.quantileKey(Double(i) / Double(m)) else { continue }
                set.insert(Swift.min(Swift.max(LogGrid.anchor(key), b.min), b.max))
            }
            edges = set.sorted()
            if edges.count > n { break }
        }
        if edges.count > n + 1 { edges = Array(edges.prefix(n / 2 + 1)) + Array(edges.suffix(n / 2)) }
        return edges
    }
}
