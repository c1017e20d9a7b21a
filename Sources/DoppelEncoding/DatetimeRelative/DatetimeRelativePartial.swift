import DoppelParallel
import DoppelTable

/// Partial statistics of a datetime-relative column (sequential data): start dates of the
/// sequences and the inter-event times.
public struct DatetimeRelativePartial: Codable, Sendable, Equatable {
    public var sourceType: DataType
    public var rows: Int
    public var nulls: Int
    public var hasNegative: Bool
    /// Start-date precision, as in ``DatetimePartial/precision``.
    public var startPrecision: [SubjectCount]
    /// Subjects with a gap that is not a whole number of days.
    public var subDayGaps: SubjectCount
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
        var precision = [SubjectCount](repeating: SubjectCount(), count: 3)
        var subDay = SubjectCount()
        var negative = false
        var startExtremes = SubjectExtremes<Int64>(), gapExtremes = SubjectExtremes<Int64>()
        var startDays: [Int64] = [], gapDays: [Int64] = []
        for s in 0..<sequences.count {
            let range = sequences.rows(s)
            guard let start = itt.start[range.lowerBound] else { continue }
            // One sequence per subject: each count below is a distinct-subject count.
            let subject = subjects.id(range.lowerBound)
            let inDay = start - DatetimePart.floorDiv(start, TemporalFormat.microsPerDay) * TemporalFormat.microsPerDay
            let flags = [inDay != 0, inDay % TemporalFormat.microsPerSecond != 0, inDay % 1000 != 0]
            for i in 0..<3 where flags[i] { precision[i].rows += 1; precision[i].subjects += 1; precision[i].insert(subject) }
            var gap: Int64 = 0
            var hasSubDay = false
            for row in range.dropFirst() {
                let d = itt.delta[row]
                if d < 0 { negative = true }
                gap = max(gap, Int64(clamping: d.magnitude))
                if d % TemporalFormat.microsPerDay != 0 { hasSubDay = true }
            }
            if hasSubDay { subDay.rows += 1; subDay.subjects += 1; subDay.insert(subject) }
            startExtremes.add(subject: subject, value: start)
            gapExtremes.add(subject: subject, value: gap)
            startDays.append(DatetimePart.floorDiv(start, TemporalFormat.microsPerDay))
            gapDays.append(gap / TemporalFormat.microsPerDay)
        }
        nulls = itt.missing.filter { $0 }.count
        hasNegative = negative
        startPrecision = precision
        subDayGaps = subDay
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
        for i in startPrecision.indices { startPrecision[i].merge(other.startPrecision[i]) }
        subDayGaps.merge(other.subDayGaps)
        startExtremes.merge(other.startExtremes)
        gapExtremes.merge(other.gapExtremes)
        startDays.merge(other.startDays)
        gapDays.merge(other.gapDays)
    }

    /// Protects the start-date range (as datetime) and the longest gap (its 6th–8th largest
    /// per-subject value; DP: upper DP bound of the per-subject gaps); gap times of day are
    /// modelled only when 5–7 subjects have sub-day gaps. With DP: ε/2 for the start dates, ε/4
    /// for the gap bound, ε/4 for the sub-day flag.
    public func finalize(_ context: FinalizeContext) -> DatetimeRelativeStats {
        var random = context.random("datetime-relative")
        let epsilon = context.protection.activeEpsilon.map { $0 / 2 }
        var start = DatetimePartial(sourceType: sourceType, rows: rows, nulls: nulls, unparsed: 0, precision: startPrecision,
                                    extremes: startExtremes, days: startDays)
            .finalize(FinalizeContext(seed: context.seed, column: context.column + "/start",
                                      protection: ValueProtection(enabled: context.protection.enabled, dpEpsilon: epsilon)))
        start.hasNull = false
        var maxGap: Int64? = nil
        if let epsilon {
            let values = zip(gapDays.keys, gapDays.counts).map { (value: Double($0), count: $1) }
            maxGap = DifferentialPrivacy.bounds(values, epsilon: epsilon / 2, random: &random).map { Int64($0.1.rounded(.up)) * TemporalFormat.microsPerDay }
        } else {
            maxGap = gapExtremes.bounds(protected: context.protection.enabled, random: &random)?.max
        }
        let weeks = maxGap.map { Int($0 / InterEventTimes.microsPerWeek) } ?? 0
        let t = random.rareThreshold()
        let subDay: Bool
        if let epsilon {
            subDay = DifferentialPrivacy.noisyCount(subDayGaps.subjects, epsilon: epsilon / 2, random: &random) >= ProtectionConstants.dpRareThreshold
        } else {
            subDay = context.protection.enabled ? subDayGaps.distinctSubjects >= t : subDayGaps.rows > 0
        }
        let hasTime = start.hasTime || (sourceType != .date && subDay)
        return DatetimeRelativeStats(valueProtection: context.protection.enabled, hasNull: nulls > 0,
                                     hasNegative: hasNegative, start: start, maxWeek: weeks, maxDay: 6, hasTime: hasTime)
    }
}

extension DatetimePartial {
    /// Memberwise construction (for the start dates of datetime-relative columns).
    init(sourceType: DataType, rows: Int, nulls: Int, unparsed: Int, precision: [SubjectCount], extremes: SubjectExtremes<Int64>, days: SparseHistogram) {
        self.sourceType = sourceType
        self.rows = rows
        self.nulls = nulls
        self.unparsed = unparsed
        self.precision = precision
        self.extremes = extremes
        self.days = days
    }
}
