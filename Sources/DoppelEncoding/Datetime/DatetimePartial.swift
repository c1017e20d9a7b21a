import DoppelParallel
import DoppelTable

/// Partial statistics of a datetime column.
public struct DatetimePartial: Codable, Sendable, Equatable {
    public var sourceType: DataType
    public var rows: Int
    public var nulls: Int
    public var unparsed: Int
    /// Lowest / highest value of each part (year, month, day, hour, …, us_E0) over present values.
    public var partMin: [Int]
    public var partMax: [Int]
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
        var lo = [Int](repeating: Int.max, count: DatetimePart.count), hi = [Int](repeating: Int.min, count: DatetimePart.count)
        var nulls = 0
        var extremes = SubjectExtremes<Int64>()
        var perSubject: [Int64: (Int64, Int64)] = [:]
        var dayBins: [Int64] = []
        var parts = [Int](repeating: 0, count: DatetimePart.count)
        parts.withUnsafeMutableBufferPointer { p in
            for row in 0..<view.micros.count {
                guard view.present[row] else { nulls += 1; continue }
                let v = view.micros[row]
                DatetimePart.split(v, into: p.baseAddress!)
                for i in 0..<DatetimePart.count {
                    lo[i] = min(lo[i], p[i])
                    hi[i] = max(hi[i], p[i])
                }
                dayBins.append(DatetimePart.floorDiv(v, TemporalFormat.microsPerDay))
                let subject = subjects.id(row)
                if subjects.isRowLevel { extremes.add(subject: subject, value: v) }
                else if let (a, b) = perSubject[subject] { perSubject[subject] = (min(a, v), max(b, v)) }
                else { perSubject[subject] = (v, v) }
            }
        }
        for (subject, (a, b)) in perSubject { extremes.add(subject: subject, min: a, max: b) }
        self.nulls = nulls
        partMin = lo
        partMax = hi
        self.extremes = extremes
        days = SparseHistogram(counting: dayBins)
    }

    public mutating func merge(_ other: DatetimePartial) throws(EncodingError) {
        guard sourceType == other.sourceType else { throw EncodingError(column: "", "cannot merge \(sourceType) and \(other.sourceType) partials") }
        rows += other.rows
        nulls += other.nulls
        unparsed += other.unparsed
        for i in 0..<DatetimePart.count {
            partMin[i] = min(partMin[i], other.partMin[i])
            partMax[i] = max(partMax[i], other.partMax[i])
        }
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
    public func finalize(_ context: FinalizeContext) -> DatetimeStats {
        var random = context.random("datetime")
        let bounds = protectedBounds(context.protection, epsilon: context.protection.activeEpsilon, random: &random)
        var lo = partMin, hi = partMax
        var hasTime = false, hasMs = false, hasUs = false
        if let b = bounds {
            var p = [Int](repeating: 0, count: DatetimePart.count), q = p
            p.withUnsafeMutableBufferPointer { DatetimePart.split(b.min, into: $0.baseAddress!) }
            q.withUnsafeMutableBufferPointer { DatetimePart.split(b.max, into: $0.baseAddress!) }
            lo[0] = p[0]
            hi[0] = q[0]
            if lo[0] == hi[0] { lo[1] = max(lo[1], p[1]); hi[1] = min(hi[1], q[1]); if hi[1] < lo[1] { (lo[1], hi[1]) = (p[1], q[1]) } }
            let maxOf = { (parts: [DatetimePart]) in parts.contains { hi[$0.rawValue] > 0 } }
            hasTime = sourceType != .date && maxOf(DatetimePart.timeParts + DatetimePart.msParts + DatetimePart.usParts)
            hasMs = hasTime && maxOf(DatetimePart.msParts + DatetimePart.usParts)
            hasUs = hasMs && maxOf(DatetimePart.usParts)
        } else {
            lo = [Int](repeating: 0, count: DatetimePart.count)
            hi = lo
            lo[0] = 2000; hi[0] = 2000; lo[1] = 1; hi[1] = 1; lo[2] = 1; hi[2] = 1
        }
        var parts: [DatetimePart] = [.year, .month, .day]
        if hasTime { parts += DatetimePart.timeParts }
        if hasMs { parts += DatetimePart.msParts }
        if hasUs { parts += DatetimePart.usParts }
        return DatetimeStats(sourceType: sourceType, valueProtection: context.protection.enabled, hasNull: nulls > 0,
                             min: bounds?.min, max: bounds?.max, hasTime: hasTime, hasMs: hasMs, hasUs: hasUs,
                             parts: parts.map(\.name), partMin: parts.map { lo[$0.rawValue] },
                             partMax: parts.map { max(lo[$0.rawValue], hi[$0.rawValue]) })
    }
}
