import DoppelTable

/// Calendar parts of a timestamp: the sub-columns of the datetime encoding.
///
/// Finer than the reference engine: besides the millisecond digits `ms_E2…ms_E0` the microsecond
/// digits `us_E2…us_E0` are kept, so timestamps round-trip exactly.
enum DatetimePart: Int, CaseIterable, Codable, Sendable {
    case year, month, day, hour, minute, second, msE2, msE1, msE0, usE2, usE1, usE0

    var name: String {
        switch self {
        case .year: "year"
        case .month: "month"
        case .day: "day"
        case .hour: "hour"
        case .minute: "minute"
        case .second: "second"
        case .msE2: "ms_E2"
        case .msE1: "ms_E1"
        case .msE0: "ms_E0"
        case .usE2: "us_E2"
        case .usE1: "us_E1"
        case .usE0: "us_E0"
        }
    }

    static let count = allCases.count
    static let timeParts: [DatetimePart] = [.hour, .minute, .second]
    static let msParts: [DatetimePart] = [.msE2, .msE1, .msE0]
    static let usParts: [DatetimePart] = [.usE2, .usE1, .usE0]

    /// Writes the 12 parts of `micros` (since 1970) into `out`.
    @inline(__always) static func split(_ micros: Int64, into out: UnsafeMutablePointer<Int>) {
        let day = floorDiv(micros, TemporalFormat.microsPerDay)
        let inDay = micros - day * TemporalFormat.microsPerDay
        let (y, m, d) = TemporalFormat.civilFromDays(Int(day))
        out[0] = y
        out[1] = m
        out[2] = d
        let seconds = Int(inDay / TemporalFormat.microsPerSecond)
        out[3] = seconds / 3600
        out[4] = seconds / 60 % 60
        out[5] = seconds % 60
        let sub = Int(inDay % TemporalFormat.microsPerSecond)
        out[6] = sub / 100_000
        out[7] = sub / 10_000 % 10
        out[8] = sub / 1000 % 10
        out[9] = sub / 100 % 10
        out[10] = sub / 10 % 10
        out[11] = sub % 10
    }

    /// Microseconds of parts; a day beyond the month's end becomes its last day.
    static func compose(_ p: [Int]) -> Int64 {
        let month = min(max(p[1], 1), 12)
        let day = min(max(p[2], 1), TemporalFormat.daysInMonth(year: p[0], month: month))
        let days = Int64(TemporalFormat.daysFromCivil(year: p[0], month: month, day: day))
        let seconds = Int64(min(p[3], 23) * 3600 + min(p[4], 59) * 60 + min(p[5], 59))
        let sub = Int64(p[6] * 100_000 + p[7] * 10_000 + p[8] * 1000 + p[9] * 100 + p[10] * 10 + p[11])
        // Wrapping arithmetic: only reachable at the ends of the Int64 range, where callers clamp.
        return days &* TemporalFormat.microsPerDay &+ seconds &* TemporalFormat.microsPerSecond &+ sub
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

/// Read access to a column as microseconds since 1970: timestamps, dates (at midnight) and text
/// in `YYYY-MM-DD[ HH:MM:SS[.ffffff]]` form (other text counts as missing and is reported).
struct TemporalView {
    let micros: [Int64]
    let present: [Bool]
    let unparsed: Int

    init(_ column: Column, name: String) throws(EncodingError) {
        var micros = [Int64](repeating: 0, count: column.count)
        var present = [Bool](repeating: false, count: column.count)
        var unparsed = 0
        switch column {
        case .timestamp(let c):
            for row in 0..<c.count where c.isValid(row) { micros[row] = c.values[row]; present[row] = true }
        case .date(let c):
            for row in 0..<c.count where c.isValid(row) { micros[row] = Int64(c.values[row]) * TemporalFormat.microsPerDay; present[row] = true }
        case .string(let c):
            for row in 0..<c.count where c.isValid(row) {
                let text = String(decoding: c.utf8(row), as: UTF8.self).trimmingSpaces.replacingT()
                if let v = TextForms.parseTimestamp(text) { micros[row] = v; present[row] = true } else if !text.isEmpty { unparsed += 1 }
            }
        default:
            throw EncodingError(column: name, "a \(column.type) column cannot use a datetime encoding")
        }
        self.micros = micros
        self.present = present
        self.unparsed = unparsed
    }
}

extension String {
    /// ISO-8601 `T` separator → space.
    func replacingT() -> String {
        guard let i = firstIndex(of: "T") else { return self }
        var s = self
        s.replaceSubrange(i...i, with: " ")
        return s
    }
}
