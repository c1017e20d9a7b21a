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
    /// Counts on ``LogGrid`` (binned quantiles, DP bounds).
    public var histogram: SparseHistogram
    /// Subjects per value (canonical text), or `nil` beyond the AUTO cap of distinct values.
    public var valueCounts: [String: SubjectCount]?

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
                bins.append(LogGrid.key(x))
                let subject = subjects.id(row)
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
        histogram = SparseHistogram(counting: bins)
        if let counts = counter?.counts {
            var text: [String: SubjectCount] = [:]
            for (key, c) in counts { text[view.label(ofKey: key)] = c }
            valueCounts = text
        } else {
            valueCounts = nil
        }
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
        if var mine = valueCounts, let theirs = other.valueCounts {
            mergeCounts(&mine, theirs)
            let cap = declared == .numericAuto ? NumericConstants.autoDiscreteMaxValues : Int.max
            valueCounts = mine.count > cap ? nil : mine
        } else {
            valueCounts = nil
        }
    }
}
