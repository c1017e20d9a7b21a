import DoppelTable

/// Text forms of cell values used as category labels, and their parsers (for decode).
enum TextForms {
    static func render(bool: Bool) -> String { bool ? "true" : "false" }

    /// Parses `YYYY-MM-DD` (optionally signed year) into days since 1970.
    static func parseDate(_ s: Substring) -> Int64? {
        var body = s
        var sign = 1
        if body.first == "-" { sign = -1; body = body.dropFirst() }
        let parts = body.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let y = Int(parts[0]), y <= 1_000_000, let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1, d <= TemporalFormat.daysInMonth(year: sign * y, month: m) else { return nil }
        return Int64(TemporalFormat.daysFromCivil(year: sign * y, month: m, day: d))
    }

    /// Parses `YYYY-MM-DD[ HH:MM:SS[.ffffff]]` into microseconds since 1970.
    static func parseTimestamp(_ s: String) -> Int64? {
        let halves = s.split(separator: " ", maxSplits: 1)
        guard let first = halves.first, let days = parseDate(first) else { return nil }
        let (dayMicros, overflow) = days.multipliedReportingOverflow(by: TemporalFormat.microsPerDay)
        guard !overflow else { return nil }
        var micros = dayMicros
        if halves.count == 2 {
            let hms = halves[1].split(separator: ":")
            guard hms.count == 3, let h = Int64(hms[0]), let mi = Int64(hms[1]), (0..<24).contains(h), (0..<60).contains(mi) else { return nil }
            let secParts = hms[2].split(separator: ".", maxSplits: 1)
            guard let sec = Int64(secParts[0]), (0..<61).contains(sec) else { return nil }
            var frac: Int64 = 0
            if secParts.count == 2 {
                let digits = secParts[1].prefix(6)
                guard let f = Int64(digits) else { return nil }
                frac = f
                for _ in digits.count..<6 { frac *= 10 }
            }
            let (dayMicros, overflow) = days.multipliedReportingOverflow(by: TemporalFormat.microsPerDay)
            guard !overflow else { return nil }
            micros = dayMicros &+ ((h * 60 + mi) * 60 + sec) * TemporalFormat.microsPerSecond + frac
        }
        return micros
    }
}

/// Dense per-row ids of the distinct values of a column and the text label of each id.
///
/// Strings are interned (dictionary columns reuse their dictionary); other types are keyed by
/// their bit pattern. Only one `String` per distinct value is created.
struct DistinctValues {
    /// Per row: id into `labels`, or -1 when missing.
    var ids: [Int32]
    var labels: [String]

    init(_ column: Column) {
        let column = column.widenedToInt64()
        var ids = [Int32](repeating: -1, count: column.count)
        var labels: [String] = []
        switch column {
        case .string(let c):
            switch c.storage {
            case .dictionary(let codes, let dictionary):
                // Only dictionary entries that are used, in order of first use.
                var remap = [Int32](repeating: -1, count: dictionary.count)
                for row in 0..<c.count where c.isValid(row) {
                    let code = Int(codes[row])
                    if remap[code] < 0 { remap[code] = Int32(labels.count); labels.append(dictionary[code]) }
                    ids[row] = remap[code]
                }
            case .plain:
                var interner = StringInterner()
                for row in 0..<c.count where c.isValid(row) { ids[row] = interner.intern(c.utf8(row)) }
                let strings = interner.finish()
                labels = (0..<strings.count).map { strings[$0] }
            }
        case .bool(let c):
            Self.fill(&ids, &labels, c) { TextForms.render(bool: $0 != 0) }
        case .int64(let c):
            Self.fill(&ids, &labels, c) { String($0) }
        case .int8, .int16, .int32:
            break  // widened to int64 above
        case .float64(let c):
            Self.fill(&ids, &labels, PrimitiveColumn(values: Buffer(c.values.array.map { $0 == 0 ? 0 : $0.bitPattern }), validity: c.validity)) { String(Double(bitPattern: $0)) }
        case .date(let c):
            Self.fill(&ids, &labels, c) { TemporalFormat.formatDate(days: $0) }
        case .timestamp(let c):
            Self.fill(&ids, &labels, c) { TemporalFormat.formatTimestamp(micros: $0) }
        }
        self.ids = ids
        self.labels = labels
    }

    private static func fill<V: Hashable & BitwiseCopyable>(_ ids: inout [Int32], _ labels: inout [String], _ c: PrimitiveColumn<V>, _ label: (V) -> String) {
        var map: [V: Int32] = [:]
        for row in 0..<c.count where c.isValid(row) {
            let v = c.values[row]
            if let id = map[v] { ids[row] = id; continue }
            let id = Int32(labels.count)
            map[v] = id
            labels.append(label(v))
            ids[row] = id
        }
    }
}
