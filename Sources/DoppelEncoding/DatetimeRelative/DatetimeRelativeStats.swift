import DoppelParallel
import DoppelTable

/// A datetime-relative column: `nan` (when missing values were seen), the start date parts of the
/// sequence on every row (`start_year`, `start_month`, …), `itt_neg` when time goes backwards,
/// then the inter-event time `itt_week`, `itt_day` and, with times, `itt_hour`, `itt_minute`,
/// `itt_second` (0 on the first row of each sequence). Decoding needs the sequence keys: each
/// sequence restarts from its first row's start date and adds the gaps.
public struct DatetimeRelativeStats: Codable, Sendable, Equatable {
    public var valueProtection: Bool
    public var hasNull: Bool
    public var hasNegative: Bool
    /// Start-date statistics (bounds, parts); its sub-columns are prefixed `start_`.
    public var start: DatetimeStats
    public var maxWeek: Int
    public var maxDay: Int
    public var hasTime: Bool

    var ittCardinalities: [Int] { [maxWeek + 1, maxDay + 1] + (hasTime ? [24, 60, 60] : []) }

    public var subColumns: [SubColumnSpec] {
        var specs = hasNull ? [SubColumnSpec("nan", 2)] : []
        specs += start.subColumns.map { SubColumnSpec("start_" + $0.name, $0.cardinality) }
        if hasNegative { specs.append(SubColumnSpec("itt_neg", 2)) }
        for (name, c) in zip(InterEventTimes.partNames, ittCardinalities) { specs.append(SubColumnSpec(name, c)) }
        return specs
    }

    var maxGap: Int64 {
        Int64(maxWeek + 1) * InterEventTimes.microsPerWeek - 1
    }

    public func encode(_ column: Column, subjects: SubjectIDs, name: String, random: inout SeededRandom) throws(EncodingError) -> EncodedColumn {
        try subjects.validate(rowCount: column.count, column: name)
        let view = try TemporalView(column, name: name)
        let n = view.micros.count
        let itt = InterEventTimes(view, sequences: Sequences(subjects: subjects, rowCount: n))
        // Start dates: missing ones (sequences without any date) get a random present start.
        let present = (0..<n).filter { itt.start[$0] != nil }
        var starts = [Int64](repeating: start.min ?? 0, count: n)
        var imputed: Int64? = nil
        for row in 0..<n {
            if let s = itt.start[row] { starts[row] = s; imputed = nil; continue }
            if imputed == nil, !present.isEmpty { imputed = itt.start[present[random.uniform(below: present.count)]] }
            starts[row] = imputed ?? starts[row]
        }
        let startCodes = try start.encode(.timestamp(PrimitiveColumn(values: Buffer(starts))), name: name, random: &random)
        let specs = subColumns
        let matrix = CodeMatrix(columns: specs.count, rowCount: n)
        var k = 0
        if hasNull {
            for row in 0..<n where itt.missing[row] { matrix.pointers[0][row] = 1 }
            k = 1
        }
        for sub in startCodes.subColumns {
            sub.codes.withUnsafeBufferPointer { matrix.pointers[k].update(from: $0.baseAddress!, count: n) }
            k += 1
        }
        let neg = hasNegative ? matrix.pointers[k] : nil
        if hasNegative { k += 1 }
        let cards = ittCardinalities
        for row in 0..<n {
            let d = max(min(itt.delta[row], maxGap), -maxGap)
            if d < 0 { neg?[row] = 1 }
            for (i, p) in InterEventTimes.parts(d).prefix(cards.count).enumerated() { matrix.pointers[k + i][row] = Int32(min(p, cards[i] - 1)) }
        }
        return matrix.finish(specs: specs)
    }

    public func decode(_ codes: EncodedColumn, subjects: SubjectIDs, name: String) throws(EncodingError) -> Column {
        try subjects.validate(rowCount: codes.rowCount, column: name)
        let n = codes.rowCount
        var startSubs: [SubColumn] = []
        for spec in start.subColumns {
            startSubs.append(SubColumn(spec: spec, codes: try codes.require("start_" + spec.name, column: name)))
        }
        let startValues = try TemporalView(try start.decode(EncodedColumn(rowCount: n, subColumns: startSubs), name: name), name: name)
        let nan = hasNull ? try codes.require("nan", column: name) : nil
        let neg = hasNegative ? try codes.require("itt_neg", column: name) : nil
        let cards = ittCardinalities
        var parts: [Buffer<Int32>] = []
        for (i, partName) in InterEventTimes.partNames.prefix(cards.count).enumerated() {
            let c = try codes.require(partName, column: name)
            for r in 0..<n where c[r] < 0 || c[r] >= cards[i] { throw EncodingError(column: name, "code \(c[r]) of \(partName) at row \(r) is outside 0..<\(cards[i])") }
            parts.append(c)
        }
        let unit: [Int64] = [InterEventTimes.microsPerWeek, TemporalFormat.microsPerDay, 3_600_000_000, 60_000_000, 1_000_000]
        var out: [Int64?] = []
        out.reserveCapacity(n)
        let sequences = Sequences(subjects: subjects, rowCount: n)
        for s in 0..<sequences.count {
            let range = sequences.rows(s)
            guard startValues.present[range.lowerBound] else {
                out.append(contentsOf: [Int64?](repeating: nil, count: range.count))
                continue
            }
            var current = startValues.micros[range.lowerBound]
            for row in range {
                if row != range.lowerBound {
                    var d: Int64 = 0
                    for (i, c) in parts.enumerated() { d &+= Int64(c[row]) &* unit[i] }
                    current &+= neg?[row] == 1 ? -d : d
                }
                out.append(nan?[row] == 1 ? nil : current)
            }
        }
        if start.sourceType == .date {
            return .date(out.map { $0.map { Int32(clamping: DatetimePart.floorDiv($0, TemporalFormat.microsPerDay)) } })
        }
        return .timestamp(out)
    }
}
