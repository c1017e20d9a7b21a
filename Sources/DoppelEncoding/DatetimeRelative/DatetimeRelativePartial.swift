import DoppelParallel
import DoppelTable

/// Partial statistics of a datetime-relative column (sequential data): start dates of the
/// sequences and the inter-event times.
public struct DatetimeRelativePartial: Codable, Sendable, Equatable {
    public var sourceType: DataType
    public var rows: Int
    public var nulls: Int
    public var hasNegative: Bool
    /// Start-date parts, as in ``DatetimePartial/partMin``.
    public var startMin: [Int]
    public var startMax: [Int]
    /// Highest ITT part (week, day, hour, minute, second) over rows after the first of a sequence.
    public var ittMax: [Int]
    /// Per-subject extremes of start dates.
    public var startExtremes: SubjectExtremes<Int64>
    /// Per-subject longest gap in microseconds (the week range is protected like any extreme,
    /// unlike the reference).
    public var gapExtremes: SubjectExtremes<Int64>
    /// Start days (DP bounds) and longest gap per subject in days (DP week range).
    public var startDays: SparseHistogram
    public var gapDays: SparseHistogram

    public init(column: Column, subjects: SubjectIDs, name: String) throws(EncodingError) {
        try subjects.validate(rowCount: column.count, column: name)
        let view = try TemporalView(column, name: name)
        sourceType = column.type
        rows = column.count
        let sequences = Sequences(subjects: subjects, rowCount: column.count)
        let itt = InterEventTimes(view, sequences: sequences)
        var lo = [Int](repeating: Int.max, count: DatetimePart.count), hi = [Int](repeating: Int.min, count: DatetimePart.count)
        var ittMax = [Int](repeating: 0, count: 5)
        var negative = false
        var startExtremes = SubjectExtremes<Int64>(), gapExtremes = SubjectExtremes<Int64>()
        var startDays: [Int64] = [], gapDays: [Int64] = []
        var parts = [Int](repeating: 0, count: DatetimePart.count)
        for s in 0..<sequences.count {
            let range = sequences.rows(s)
            guard let start = itt.start[range.lowerBound] else { continue }
            parts.withUnsafeMutableBufferPointer { DatetimePart.split(start, into: $0.baseAddress!) }
            for i in 0..<DatetimePart.count { lo[i] = min(lo[i], parts[i]); hi[i] = max(hi[i], parts[i]) }
            var gap: Int64 = 0
            for row in range.dropFirst() {
                let d = itt.delta[row]
                if d < 0 { negative = true }
                gap = max(gap, Int64(clamping: d.magnitude))
                for (i, p) in InterEventTimes.parts(d).enumerated() { ittMax[i] = max(ittMax[i], p) }
            }
            let subject = subjects.id(range.lowerBound)
            startExtremes.add(subject: subject, value: start)
            gapExtremes.add(subject: subject, value: gap)
            startDays.append(DatetimePart.floorDiv(start, TemporalFormat.microsPerDay))
            gapDays.append(gap / TemporalFormat.microsPerDay)
        }
        nulls = itt.missing.filter { $0 }.count
        hasNegative = negative
        startMin = lo
        startMax = hi
        self.ittMax = ittMax
        self.startExtremes = startExtremes
        self.gapExtremes = gapExtremes
        self.startDays = SparseHistogram(counting: startDays)
        self.gapDays = SparseHistogram(counting: gapDays)
    }

    public mutating func merge(_ other: DatetimeRelativePartial) throws(EncodingError) {
        guard sourceType == other.sourceType else { throw EncodingError(column: "", "cannot merge \(sourceType) and \(other.sourceType) partials") }
        rows += other.rows
        nulls += other.nulls
        hasNegative = hasNegative || other.hasNegative
        for i in 0..<DatetimePart.count { startMin[i] = min(startMin[i], other.startMin[i]); startMax[i] = max(startMax[i], other.startMax[i]) }
        for i in 0..<ittMax.count { ittMax[i] = max(ittMax[i], other.ittMax[i]) }
        startExtremes.merge(other.startExtremes)
        gapExtremes.merge(other.gapExtremes)
        startDays.merge(other.startDays)
        gapDays.merge(other.gapDays)
    }

    /// Protects the start-date range (as datetime) and the longest gap (its 6th–8th largest
    /// per-subject value; DP: upper DP bound of the per-subject gaps). With DP, ε is split evenly.
    public func finalize(_ context: FinalizeContext) -> DatetimeRelativeStats {
        var random = context.random("datetime-relative")
        let epsilon = context.protection.activeEpsilon.map { $0 / 2 }
        var start = DatetimePartial(sourceType: sourceType, rows: rows, nulls: nulls, unparsed: 0, partMin: startMin, partMax: startMax,
                                    extremes: startExtremes, days: startDays)
            .finalize(FinalizeContext(seed: context.seed, column: context.column + "/start",
                                      protection: ValueProtection(enabled: context.protection.enabled, dpEpsilon: epsilon)))
        start.hasNull = false
        var maxGap: Int64? = nil
        if let epsilon {
            let values = zip(gapDays.keys, gapDays.counts).map { (value: Double($0), count: $1) }
            maxGap = DifferentialPrivacy.bounds(values, epsilon: epsilon, random: &random).map { Int64($0.1.rounded(.up)) * TemporalFormat.microsPerDay }
        } else {
            maxGap = gapExtremes.bounds(protected: context.protection.enabled, random: &random)?.max
        }
        let weeks = maxGap.map { Int($0 / InterEventTimes.microsPerWeek) } ?? 0
        let hasTime = start.hasTime || ittMax[2...].contains { $0 > 0 }
        return DatetimeRelativeStats(valueProtection: context.protection.enabled, hasNull: nulls > 0,
                                     hasNegative: hasNegative, start: start, maxWeek: min(weeks, ittMax[0]),
                                     maxDay: weeks == 0 ? ittMax[1] : 6, hasTime: hasTime)
    }
}

extension DatetimePartial {
    /// Memberwise construction (for the start dates of datetime-relative columns).
    init(sourceType: DataType, rows: Int, nulls: Int, unparsed: Int, partMin: [Int], partMax: [Int], extremes: SubjectExtremes<Int64>, days: SparseHistogram) {
        self.sourceType = sourceType
        self.rows = rows
        self.nulls = nulls
        self.unparsed = unparsed
        self.partMin = partMin
        self.partMax = partMax
        self.extremes = extremes
        self.days = days
    }
}
