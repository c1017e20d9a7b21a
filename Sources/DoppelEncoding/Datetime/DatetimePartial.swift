import DoppelParallel
import DoppelTable

/// Partial statistics of a datetime column.
public struct DatetimePartial: Codable, Sendable, Equatable {
    public var sourceType: DataType
    public var rows: Int
    public var nulls: Int
    public var unparsed: Int
    /// Subjects with a time of day other than midnight, with milliseconds, with microseconds
    /// (the time parts are used only when enough subjects have them).
    public var precision: [SubjectCount]
    /// Per-subject extremes of the microsecond values.
    public var extremes: SubjectExtremes<Int64>
    /// Counts per day since 1970 (DP bounds).
    public var days: SparseHistogram

    public init(column: Column, subjects: SubjectIDs, name: String) throws(EncodingError) {
        try subjects.validate(rowCount: column.count, column: name)
        let view = try TemporalView(column, name: name)
        sourceType = column.type
        rows = column.count
        unparsed = view.unparsed
        var precision = IndexedSubjectCounter(keyCount: 3, rowLevel: subjects.isRowLevel, contiguous: subjects.runsAreContiguous(rowCount: column.count))
        var nulls = 0
        var extremes = SubjectExtremes<Int64>()
        var perSubject: [Int64: (Int64, Int64)] = [:]
        var dayBins: [Int64] = []
        for row in 0..<view.micros.count {
                guard view.present[row] else { nulls += 1; continue }
                let v = view.micros[row]
                let day = DatetimePart.floorDiv(v, TemporalFormat.microsPerDay)
                dayBins.append(day)
                let subject = subjects.id(row)
                let inDay = v - day * TemporalFormat.microsPerDay
                if inDay != 0 {
                    precision.add(0, subject: subject)
                    if inDay % TemporalFormat.microsPerSecond != 0 { precision.add(1, subject: subject) }
                    if inDay % 1000 != 0 { precision.add(2, subject: subject) }
                }
                if subjects.isRowLevel { extremes.add(subject: subject, value: v) }
                else if let (a, b) = perSubject[subject] { perSubject[subject] = (min(a, v), max(b, v)) }
                else { perSubject[subject] = (v, v) }
        }
        for (subject, (a, b)) in perSubject { extremes.add(subject: subject, min: a, max: b) }
        self.nulls = nulls
        self.precision = precision.counts
        self.extremes = extremes
        days = SparseHistogram(counting: dayBins)
    }

    public mutating func merge(_ other: DatetimePartial) throws(EncodingError) {
        guard sourceType == other.sourceType else { throw EncodingError(column: "", "cannot merge \(sourceType) and \(other.sourceType) partials") }
        rows += other.rows
        nulls += other.nulls
        unparsed += other.unparsed
        for i in precision.indices { precision[i].merge(other.precision[i]) }
        extremes.merge(other.extremes)
        days.merge(other.days)
    }

    var hasValues: Bool { !extremes.lowest.isEmpty }

    /// Protected bounds in microseconds: per-subject extremes (6th–8th most extreme, none under
    /// 20 subjects), or DP bounds on the day histogram — day resolution within the data's
    /// power-of-two range of days, not microseconds since 1970.
    func protectedBounds(_ protection: ValueProtection, epsilon: Double?, random: inout SeededRandom) -> (min: Int64, max: Int64)? {
        guard hasValues else { return nil }
        if let epsilon {
            let values = zip(days.keys, days.counts).map { (value: Double($0), count: $1) }
            guard let (lo, hi) = DifferentialPrivacy.bounds(values, epsilon: epsilon, random: &random) else { return nil }
            let loDay = Int64(lo.rounded(.down)), hiDay = Int64(hi.rounded(.up)) - 1
            return (loDay * TemporalFormat.microsPerDay, max(loDay, hiDay) * TemporalFormat.microsPerDay + TemporalFormat.microsPerDay - 1)
        }
        return extremes.bounds(protected: protection.enabled, random: &random).map { (min: $0.min, max: $0.max) }
    }

    /// Resolves the used parts and applies protection.
    ///
    /// Part ranges are the calendar's (month 1–12, day 1–31, hour 0–23, …: public knowledge), the
    /// year range comes from the protected bounds (months and days too when the bounds share a year
    /// or month). Times, milliseconds and microseconds are modelled only when 5–7 subjects have
    /// them (DP: a noisy count of at least 5), so one subject's timestamp does not change the
    /// statistics. With DP, half of ε goes to the bounds and a sixth to each precision flag.
    public func finalize(_ context: FinalizeContext) -> DatetimeStats {
        var random = context.random("datetime")
        let epsilon = context.protection.activeEpsilon
        let bounds = protectedBounds(context.protection, epsilon: epsilon.map { $0 / 2 }, random: &random)
        var flags = [false, false, false]
        if bounds != nil && sourceType != .date {
            if let epsilon {
                let kept = DifferentialPrivacy.nonRare(precision.enumerated().map { ($0.offset, $0.element.subjects) }, epsilon: epsilon / 6,
                                                       threshold: ProtectionConstants.dpRareThreshold, random: &random).kept
                for i in kept { flags[i] = true }
            } else {
                let t = random.rareThreshold()
                for i in 0..<3 { flags[i] = context.protection.enabled ? precision[i].distinctSubjects >= t : precision[i].rows > 0 }
            }
        }
        let hasTime = flags[0], hasMs = hasTime && flags[1], hasUs = hasMs && flags[2]
        var lo = [2000, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        var hi = [2000, 12, 31, 23, 59, 59, 9, 9, 9, 9, 9, 9]
        if let b = bounds {
            var p = [Int](repeating: 0, count: DatetimePart.count), q = p
            p.withUnsafeMutableBufferPointer { DatetimePart.split(b.min, into: $0.baseAddress!) }
            q.withUnsafeMutableBufferPointer { DatetimePart.split(b.max, into: $0.baseAddress!) }
            lo[0] = p[0]
            hi[0] = q[0]
            if p[0] == q[0] {
                (lo[1], hi[1]) = (p[1], q[1])
                if p[1] == q[1] { (lo[2], hi[2]) = (p[2], q[2]) }
            }
        } else {
            hi = lo
            (lo[1], hi[1], lo[2], hi[2]) = (1, 1, 1, 1)
        }
        var parts: [DatetimePart] = [.year, .month, .day]
        if hasTime { parts += DatetimePart.timeParts }
        if hasMs { parts += DatetimePart.msParts }
        if hasUs { parts += DatetimePart.usParts }
        return DatetimeStats(sourceType: sourceType, valueProtection: context.protection.enabled, hasNull: nulls > 0,
                             min: bounds?.min, max: bounds?.max, hasTime: hasTime, hasMs: hasMs, hasUs: hasUs,
                             parts: parts.map(\.name), partMin: parts.map { lo[$0.rawValue] }, partMax: parts.map { hi[$0.rawValue] })
    }
}
