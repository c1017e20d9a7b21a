/// Calendar arithmetic for the proleptic Gregorian calendar, and ISO-8601 formatting.
///
/// Day numbers follow Howard Hinnant's `days_from_civil` / `civil_from_days` algorithms
/// ("chrono-Compatible Low-Level Date Algorithms"), exact for every Int32 day count.
public enum TemporalFormat {
    public static let microsPerSecond: Int64 = 1_000_000
    public static let microsPerDay: Int64 = 86_400_000_000

    /// Days since 1970-01-01 of the civil date `year-month-day` (month 1...12, day 1...31).
    @inlinable public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    @inlinable public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Number of days in `month` of `year`.
    @inlinable public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `YYYY-MM-DD`.
    public static func formatDate(days: Int32) -> String {
        var out = [UInt8]()
        appendDate(days: Int(days), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM-DD HH:MM:SS` with a fraction only when non-zero (trailing zeros dropped).
    public static func formatTimestamp(micros: Int64) -> String {
        var out = [UInt8]()
        appendTimestamp(micros: micros, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DD` (years outside 0...9999 get a sign and as many digits as needed).
    public static func appendDate(days: Int, to out: inout [UInt8]) {
        let (y, m, d) = civilFromDays(days)
        if y < 0 { out.append(UInt8(ascii: "-")) }
        appendPadded(abs(y), width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(m, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(d, width: 2, to: &out)
    }

    public static func appendTimestamp(micros: Int64, to out: inout [UInt8]) {
        let (days, rem) = micros.quotientAndRemainder(dividingBy: microsPerDay)
        let dayIndex = rem < 0 ? days - 1 : days
        let inDay = rem < 0 ? rem + microsPerDay : rem
        appendDate(days: Int(dayIndex), to: &out)
        out.append(UInt8(ascii: " "))
        let seconds = Int(inDay / microsPerSecond)
        appendPadded(seconds / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(seconds / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(seconds % 60, width: 2, to: &out)
        var fraction = Int(inDay % microsPerSecond)
        if fraction != 0 {
            out.append(UInt8(ascii: "."))
            var width = 6
            while fraction % 10 == 0 { fraction /= 10; width -= 1 }
            appendPadded(fraction, width: width, to: &out)
        }
    }

    static func appendPadded(_ value: Int, width: Int, to out: inout [UInt8]) {
        var digits = [UInt8]()
        var v = value
        repeat { digits.append(UInt8(ascii: "0") + UInt8(v % 10)); v /= 10 } while v > 0
        for _ in digits.count..<max(width, digits.count) { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: digits.reversed())
    }
}
