import DoppelTable

/// Constants of the numeric encodings (reference engine, `numeric.py`).
public enum NumericConstants {
    /// AUTO keeps value counts up to this many distinct values (beyond: not discrete).
    public static let autoDiscreteMaxValues = 100
    /// AUTO picks DISCRETE when more than this share of subjects hold non-rare values.
    public static let autoDiscreteMinNonRare = 0.999
    /// AUTO picks DIGIT when at most this many digit positions are used.
    public static let autoDigitMaxPositions = 3
    /// At most this many bins (101 edges).
    public static let maxBins = 100
    /// BINNED: at most one bin per this many values, so that a small column's bins describe
    /// groups of subjects, not single ones (sub-bins: one per ``ProtectionConstants/rareThreshold``
    /// values of their bin). Measured on the suite's four smallest tables (176–755 training rows,
    /// 5 seeds each): one bin per 10 values rather than 5 gave mean overall accuracy 0.702 against
    /// 0.692 and mean DCR share 0.511 against 0.530.
    public static let valuesPerBin = 10
    /// BINNED: at most this many sub-bins per bin (sub-column `sub`).
    public static let maxSubBins = 8
    /// BINNED: at most this many point masses (exact values with their own `bin` code).
    public static let maxPoints = 10
    /// BINNED: a point mass holds at least this share of the present values.
    public static let pointMinShare = 0.01
    /// Point-mass candidates have at most this many significant decimal digits (zero always counts):
    /// stored measurements (6.907755, 1999.99) qualify, full-precision floats do not.
    public static let pointMaxDigits = 8
    /// Candidate values tracked per partial before the significant-digit limit is lowered.
    public static let pointMaxCandidates = 2048

    /// Significant decimal digits of a canonical value text (`"2000"`, `"2000.0"`, `"0.05"`,
    /// `"1.5e-07"`): digits between the first and last non-zero one; 0 for zero.
    static func significantDigits(ofLabel label: String) -> Int {
        let mantissa = label.split(whereSeparator: { $0 == "e" || $0 == "E" }).first ?? Substring(label)
        let digits = mantissa.filter { $0.isASCII && $0.isNumber }
        guard let first = digits.firstIndex(where: { $0 != "0" }), let last = digits.lastIndex(where: { $0 != "0" }) else { return 0 }
        return digits.distance(from: first, to: last) + 1
    }
}

/// Partial statistics of a numeric column. Everything here merges exactly (sums, element-wise
/// min/max, fixed-grid histogram, bounded extremes), so finalize does not depend on grouping.
public struct NumericPartial: Codable, Sendable, Equatable {
    public var declared: EncodingType
    public var sourceType: DataType
    public var rows: Int
    /// Missing values, NaN, ±∞ and unparsable text included.
    public var nulls: Int
    /// Text cells that were not numbers.
    public var unparsed: Int
    public var values: Int
    public var hasNegative: Bool
    /// Values with |x| ≥ 10^19 (beyond the digit encoding).
    public var outOfDigitRange: Int
    /// Per digit position E18 … E-8: subjects whose lowest non-zero digit (over all their
    /// values) is there. Each subject is in one bin, so the precision a column needs is protected
    /// like any rare value (and has sensitivity 1 under DP).
    public var lowestDigit: [SubjectCount]
    public var extremes: SubjectExtremes<Double>
    /// Counts on the adaptive fine grid (binned quantiles; DP bounds read it on ``LogGrid``).
    public var histogram: AdaptiveHistogram
    /// Subjects per value (canonical text), or `nil` beyond the AUTO cap of distinct values.
    public var valueCounts: [String: SubjectCount]?
    /// BINNED and AUTO: subjects per point-mass candidate (canonical text): zero and exact values
    /// with at most ``pointDigits`` significant digits. `nil` for the other encodings.
    public var pointCounts: [String: SubjectCount]?
    /// Significant-digit limit of the candidates: ``NumericConstants/pointMaxDigits``, lowered
    /// while more than ``NumericConstants/pointMaxCandidates`` candidates exist. The candidate
    /// count of a union is at least that of each part, so the limit (and the merged counts) do
    /// not depend on grouping.
    public var pointDigits: Int

    public init(column: Column, subjects: SubjectIDs, declared: EncodingType, name: String) throws(EncodingError) {
        guard declared.isNumeric else { throw EncodingError(column: name, "\(declared.rawValue) is not a numeric encoding") }
        try subjects.validate(rowCount: column.count, column: name)
        let contiguous = subjects.runsAreContiguous(rowCount: column.count)
        let parsed = try NumericView.make(column, name: name)
        let view = parsed.view
        self.declared = declared
        sourceType = column.type
        rows = column.count
        unparsed = parsed.unparsed
        var nulls = 0, values = 0, outOfRange = 0, negative = false
        var lowest = [SubjectCount](repeating: SubjectCount(), count: DigitSplit.positions)
        var bins: [Int64] = []
        bins.reserveCapacity(view.count)
        let cap = declared == .numericAuto ? NumericConstants.autoDiscreteMaxValues : Int.max
        var counter: SubjectCounter<UInt64>? = declared == .numericAuto || declared == .numericDiscrete ? SubjectCounter(rowLevel: subjects.isRowLevel, contiguous: contiguous) : nil
        let tracksPoints = declared == .numericAuto || declared == .numericBinned
        var points: SubjectCounter<UInt64>? = tracksPoints ? SubjectCounter(rowLevel: subjects.isRowLevel, contiguous: contiguous) : nil
        var pointDigits = NumericConstants.pointMaxDigits
        var extremes = SubjectExtremes<Double>()
        var perSubject: [Int64: (Double, Double, Int)] = [:]
        var digits = [UInt8](repeating: 0, count: DigitSplit.positions)
        digits.withUnsafeMutableBufferPointer { buffer in
            let d = buffer.baseAddress!
            for row in 0..<view.count {
                guard view.isPresent(row) else { nulls += 1; continue }
                values += 1
                let x = view.double(row)
                if x < 0 { negative = true }
                let inRange: Bool
                switch view {
                case .integers(let c): DigitSplit.split(c.values[row], into: d); inRange = true
                case .floats: inRange = DigitSplit.split(x, into: d)
                }
                // Index of the lowest non-zero digit (-1: none).
                var low = DigitSplit.positions - 1
                if inRange {
                    while low >= 0 && d[low] == 0 { low -= 1 }
                } else {
                    outOfRange += 1
                    low = -1
                }
                bins.append(AdaptiveHistogram.finestKey(x))
                let subject = subjects.id(row)
                if points != nil && (x == 0 || (low >= 0 && Self.hasFewDigits(x, digits: d, low: low, limit: pointDigits, exact: view.isInteger))) {
                    points!.add(view.exactKey(row), subject: subject)
                    while points!.counts.count > NumericConstants.pointMaxCandidates {
                        pointDigits -= 1
                        let limit = pointDigits
                        points!.prune { NumericConstants.significantDigits(ofLabel: view.label(ofKey: $0)) <= limit }
                    }
                }
                if subjects.isRowLevel {
                    extremes.add(subject: subject, value: x)
                    if low >= 0 { lowest[low].rows += 1; lowest[low].subjects += 1; lowest[low].insert(subject) }
                } else if let (lo, hi, l) = perSubject[subject] {
                    perSubject[subject] = (min(lo, x), max(hi, x), max(l, low))
                } else {
                    perSubject[subject] = (x, x, low)
                }
                if counter != nil {
                    counter!.add(view.exactKey(row), subject: subject)
                    if counter!.counts.count > cap { counter = nil }
                }
            }
        }
        for (subject, (lo, hi, low)) in perSubject {
            extremes.add(subject: subject, min: lo, max: hi)
            if low >= 0 { lowest[low].rows += 1; lowest[low].subjects += 1; lowest[low].insert(subject) }
        }
        self.nulls = nulls
        self.values = values
        hasNegative = negative
        outOfDigitRange = outOfRange
        lowestDigit = lowest
        self.extremes = extremes
        histogram = AdaptiveHistogram(finestKeys: bins)
        self.pointDigits = pointDigits
        if let counts = points?.counts {
            var text: [String: SubjectCount] = [:]
            for (key, c) in counts { text[view.label(ofKey: key)] = c }
            pointCounts = text
        } else {
            pointCounts = nil
        }
        if let counts = counter?.counts {
            var text: [String: SubjectCount] = [:]
            for (key, c) in counts { text[view.label(ofKey: key)] = c }
            valueCounts = text
        } else {
            valueCounts = nil
        }
    }

    /// Whether the non-zero `x`, whose digits (``DigitSplit``) are in `digits` with the lowest
    /// non-zero one at index `low`, has at most `limit` significant digits. Floats are checked
    /// against those digits exactly, since the split drops digits below 10^-8.
    @inline(__always) static func hasFewDigits(_ x: Double, digits d: UnsafeMutablePointer<UInt8>, low: Int, limit: Int, exact: Bool) -> Bool {
        var high = 0
        while d[high] == 0 { high += 1 }
        guard low - high + 1 <= limit else { return false }
        if exact { return true }
        var m = 0.0
        for i in high...low { m = m * 10 + Double(d[i]) }
        let p = DigitSplit.maxDecimal - low
        let v = p >= 0 ? m * DigitSplit.powersOfTen[p] : m / DigitSplit.powersOfTen[-p]
        return v == x.magnitude
    }

    public mutating func merge(_ other: NumericPartial) throws(EncodingError) {
        guard declared == other.declared, sourceType == other.sourceType else {
            throw EncodingError(column: "", "cannot merge \(declared.rawValue)/\(sourceType) with \(other.declared.rawValue)/\(other.sourceType) partials")
        }
        rows += other.rows
        nulls += other.nulls
        unparsed += other.unparsed
        values += other.values
        hasNegative = hasNegative || other.hasNegative
        outOfDigitRange += other.outOfDigitRange
        for p in 0..<DigitSplit.positions { lowestDigit[p].merge(other.lowestDigit[p]) }
        extremes.merge(other.extremes)
        histogram.merge(other.histogram)
        if var mine = pointCounts, let theirs = other.pointCounts {
            var limit = min(pointDigits, other.pointDigits)
            func keep(_ label: String) -> Bool { NumericConstants.significantDigits(ofLabel: label) <= limit }
            mine = mine.filter { keep($0.key) }
            mergeCounts(&mine, theirs.filter { keep($0.key) })
            while mine.count > NumericConstants.pointMaxCandidates {
                limit -= 1
                mine = mine.filter { keep($0.key) }
            }
            pointCounts = mine
            pointDigits = limit
        } else {
            pointCounts = nil
        }
        if var mine = valueCounts, let theirs = other.valueCounts {
            mergeCounts(&mine, theirs)
            let cap = declared == .numericAuto ? NumericConstants.autoDiscreteMaxValues : Int.max
            valueCounts = mine.count > cap ? nil : mine
        } else {
            valueCounts = nil
        }
    }
}
