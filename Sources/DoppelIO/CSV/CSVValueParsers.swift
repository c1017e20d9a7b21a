#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DoppelTable

/// Parsers from a field's UTF-8 bytes (already unquoted) to typed values. Each returns `nil`
/// when the text is not exactly of that type: no surrounding spaces, no thousands separators.
enum CSVValueParsers {
    // MARK: integers

    /// `[+-]digits` that fits in Int64.
    @inline(__always)
    static func parseInt64(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = field.count
        guard n > 0, let p = field.baseAddress else { return nil }
        let (negative, start) = sign(p, at: 0, end: n)
        guard start < n else { return nil }
        var i = start
        // Longer inputs can only fit with leading zeros.
        while n - i > 19 && p[i] == UInt8(ascii: "0") { i += 1 }
        guard n - i <= 19 else { return nil }
        var value: UInt64 = 0
        while i < n {
            let d = p[i] &- 48
            guard d < 10 else { return nil }
            value = value &* 10 &+ UInt64(d)
            i += 1
        }
        // 19 digits fit in UInt64, so only the Int64 range remains to check.
        if negative {
            guard value <= UInt64(Int64.max) + 1 else { return nil }
            return Int64(truncatingIfNeeded: 0 &- value)
        }
        guard value <= UInt64(Int64.max) else { return nil }
        return Int64(value)
    }

    // MARK: floats

    /// Exact powers of ten representable in a Double (10^0 ... 10^22). A literal, so that the
    /// compiler initialises it statically and hot loops read it without a lazy-initialisation
    /// check.
    static let powersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// An optional `+` or `-` at `p[i]` (`i < end`): whether it was `-`, and where the digits start.
    @inline(__always)
    static func sign(_ p: UnsafePointer<UInt8>, at i: Int, end: Int) -> (negative: Bool, next: Int) {
        guard i < end, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") else { return (false, i) }
        return (p[i] == UInt8(ascii: "-"), i &+ 1)
    }

    /// Digits with at most one `.` from `p[i]` up to the first other byte (or `end`): the
    /// digits as one integer (exact for up to 19 digits), their count, the number of digits
    /// before the `.` (`-1` without one) and where the scan stopped.
    @inline(__always)
    static func scanDecimal(_ p: UnsafePointer<UInt8>, from i: Int, end: Int) -> (mantissa: UInt64, digits: Int, dot: Int, end: Int) {
        var j = i, digits = 0, dot = -1
        var mantissa: UInt64 = 0
        while j < end {
            let c = p[j]
            let d = c &- 48
            if d < 10 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                digits &+= 1
            } else if c == UInt8(ascii: ".") && dot < 0 {
                dot = digits
            } else {
                break
            }
            j &+= 1
        }
        return (mantissa, digits, dot, j)
    }

    /// The value of a scanned decimal of at most 15 digits (``scanDecimal(_:from:end:)``):
    /// Clinger's fast path, exact because mantissa and power of ten are both exact doubles.
    @inline(__always)
    static func exactDecimal(mantissa: UInt64, digits: Int, dot: Int, negative: Bool) -> Double {
        let scale = dot < 0 ? 0 : digits - dot
        // Below 10^15 < 2^63: the signed conversion (one instruction on x86-64) gives the same
        // double as the unsigned one (an instruction sequence without AVX-512).
        let m = Double(Int64(truncatingIfNeeded: mantissa))
        let v = scale == 0 ? m : m / powersOfTen[scale]
        return negative ? -v : v
    }

    /// Decimal floating point: `[+-](digits[.digits*]|.digits)([eE][+-]digits)?`.
    ///
    /// Clinger's fast path (W. D. Clinger, "How to Read Floating Point Numbers Accurately",
    /// PLDI 1990): a mantissa of at most 15 significant digits and a power of ten of at most 22
    /// are both exact doubles, so one IEEE multiplication or division rounds correctly. Every
    /// other input goes to `strtod`, so the result always equals `strtod`'s.
    @inline(__always)
    static func parseDouble(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = field.count
        guard n > 0, let p = field.baseAddress else { return nil }
        let (negative, start) = sign(p, at: 0, end: n)
        var i = start
        // Fast path: digits with at most one '.', at most 15 digits in all (so the mantissa is
        // exact even with leading zeros) and no exponent.
        let fast = scanDecimal(p, from: i, end: n)
        if fast.end == n && fast.digits > 0 && fast.digits <= 15 {
            return exactDecimal(mantissa: fast.mantissa, digits: fast.digits, dot: fast.dot, negative: negative)
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var sawDigit = false
        var truncated = false
        while i < n {
            let d = p[i] &- 48
            guard d < 10 else { break }
            sawDigit = true
            if mantissa == 0 && d == 0 {
                // leading zero: not significant
            } else if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                significantDigits += 1
            } else {
                exponent += 1
                truncated = true
            }
            i += 1
        }
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n {
                let d = p[i] &- 48
                guard d < 10 else { break }
                sawDigit = true
                if mantissa == 0 && d == 0 {
                    exponent -= 1
                } else if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    significantDigits += 1
                    exponent -= 1
                } else {
                    truncated = true
                }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < n && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < n && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n else { return nil }
            var e = 0
            while i < n {
                let d = p[i] &- 48
                guard d < 10 else { return nil }
                if e < 100_000 { e = e * 10 + Int(d) }
                i += 1
            }
            exponent += exponentNegative ? -e : e
        }
        guard i == n else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if !truncated && significantDigits <= 15 && exponent >= -22 && exponent <= 22 {
            let m = Double(mantissa)
            let v = exponent >= 0 ? m * powersOfTen[exponent] : m / powersOfTen[-exponent]
            return negative ? -v : v
        }
        return strtodFallback(field)
    }

    /// `strtod` on a NUL-terminated copy (the grammar was already checked, so `strtod` sees
    /// only a plain decimal number).
    private static func strtodFallback(_ field: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: field.count + 1) { buffer in
            for (i, b) in field.enumerated() { buffer[i] = CChar(bitPattern: b) }
            buffer[field.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    // MARK: booleans

    /// `true` or `false` in any letter case; 1 for true, 0 for false.
    @inline(__always)
    static func parseBool(_ field: UnsafeBufferPointer<UInt8>) -> UInt8? {
        guard let p = field.baseAddress else { return nil }
        if field.count == 4 && p[0] | 0x20 == UInt8(ascii: "t") && p[1] | 0x20 == UInt8(ascii: "r")
            && p[2] | 0x20 == UInt8(ascii: "u") && p[3] | 0x20 == UInt8(ascii: "e") { return 1 }
        if field.count == 5 && p[0] | 0x20 == UInt8(ascii: "f") && p[1] | 0x20 == UInt8(ascii: "a")
            && p[2] | 0x20 == UInt8(ascii: "l") && p[3] | 0x20 == UInt8(ascii: "s") && p[4] | 0x20 == UInt8(ascii: "e") { return 0 }
        return nil
    }

    // MARK: dates and timestamps (ISO 8601)

    @inline(__always)
    private static func digits(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        var v = 0
        for i in 0..<count {
            let d = p[i] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }

    /// Days since 1970-01-01 of the `YYYY-MM-DD` at the start of `p` (10 bytes available).
    ///
    /// SWAR: the first 8 bytes are checked in one word (dashes at bytes 4 and 7, digits
    /// elsewhere: after replacing the dashes by '0', `byte ^ 0x30` must be below 10 in every lane).
    @inline(__always)
    private static func dayNumber(_ p: UnsafePointer<UInt8>) -> Int? {
        let raw = UnsafeRawPointer(p)
        let word = raw.loadUnaligned(as: UInt64.self)
        let dashes: UInt64 = 0x2D00_002D_0000_0000, dashLanes: UInt64 = 0xFF00_00FF_0000_0000
        guard word & dashLanes == dashes else { return nil }
        let digitsWord = (word & ~dashLanes | 0x3000_0030_0000_0000) ^ 0x3030_3030_3030_3030
        guard (digitsWord &+ 0x7676_7676_7676_7676 | digitsWord) & 0x8080_8080_8080_8080 == 0 else { return nil }
        let d10 = p[8] &- 48, d1 = p[9] &- 48
        guard d10 < 10, d1 < 10 else { return nil }
        @inline(__always) func lane(_ k: UInt64) -> Int { Int(truncatingIfNeeded: (digitsWord >> (8 * k)) & 0xFF) }
        let year = lane(0) * 1000 + lane(1) * 100 + lane(2) * 10 + lane(3)
        let month = lane(5) * 10 + lane(6)
        let day = Int(d10) * 10 + Int(d1)
        guard month >= 1, month <= 12, day >= 1 else { return nil }
        // Branch-free Gregorian leap rule and month tables: months are random in real data, so
        // a branch per month would be mispredicted often.
        let leap = (year & 3 == 0 ? 1 : 0) & ((year % 100 != 0 ? 1 : 0) | (year % 400 == 0 ? 1 : 0))
        let february = month == 2 ? 1 : 0
        // Month lengths minus 28, two bits per month from January.
        let length = 28 + ((0xEE_FBB3 >> (2 * (month - 1))) & 3) + (february & leap)
        guard day <= length else { return nil }
        guard year >= 1 else { return TemporalFormat.daysFromCivil(year: year, month: month, day: day) }
        let afterFebruary = month > 2 ? 1 : 0
        return daysBeforeYear(year) + daysBeforeMonth(month) + (afterFebruary & leap) + day - 1
    }

    /// Days from 1970-01-01 to January 1 of `year` (≥ 1), counting leap days by the Gregorian rule.
    @inline(__always)
    private static func daysBeforeYear(_ year: Int) -> Int {
        let y = year - 1
        return 365 * (year - 1970) + (y / 4 - y / 100 + y / 400) - 477
    }

    /// Days of a common year before the first of `month` (1...12): a table packed into two
    /// words, 9 bits per month (the largest, 334, fits), so that no memory table is needed.
    @inline(__always)
    private static func daysBeforeMonth(_ month: Int) -> Int {
        // January … June in the first word, July … December in the second.
        let low: UInt64 = 0 | 31 << 9 | 59 << 18 | 90 << 27 | 120 << 36 | 151 << 45
        let high: UInt64 = 181 | 212 << 9 | 243 << 18 | 273 << 27 | 304 << 36 | 334 << 45
        let k = month - 1
        let word = k < 6 ? low : high
        return Int(truncatingIfNeeded: (word >> UInt64(9 * (k < 6 ? k : k - 6))) & 0x1FF)
    }

    /// `YYYY-MM-DD`, as days since 1970-01-01.
    @inline(__always)
    static func parseDate(_ field: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard field.count == 10, let p = field.baseAddress, let days = dayNumber(p) else { return nil }
        return Int32(days)
    }

    /// Exactly 19 bytes `YYYY-MM-DD[T| ]HH:MM:SS` (the most common timestamp form), as
    /// ``parseTimestamp(_:acceptDate:)`` reads it, with the time checked in one word as the date
    /// is (colons at bytes 2 and 5, digits elsewhere).
    @inline(__always)
    static func parseTimestamp19(_ p: UnsafePointer<UInt8>) -> Int64? {
        let separator = p[10]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: " ") || separator == UInt8(ascii: "t"),
              let days = dayNumber(p) else { return nil }
        let word = UnsafeRawPointer(p + 11).loadUnaligned(as: UInt64.self)
        let colons: UInt64 = 0x0000_3A00_003A_0000, colonLanes: UInt64 = 0x0000_FF00_00FF_0000
        guard word & colonLanes == colons else { return nil }
        let digitsWord = (word & ~colonLanes | 0x0000_3000_0030_0000) ^ 0x3030_3030_3030_3030
        guard (digitsWord &+ 0x7676_7676_7676_7676 | digitsWord) & 0x8080_8080_8080_8080 == 0 else { return nil }
        @inline(__always) func lane(_ k: UInt64) -> Int64 { Int64(truncatingIfNeeded: (digitsWord >> (8 * k)) & 0xFF) }
        let hour = lane(0) * 10 + lane(1), minute = lane(3) * 10 + lane(4), second = lane(6) * 10 + lane(7)
        guard hour <= 23, minute <= 59, second <= 59 else { return nil }
        return Int64(days) * TemporalFormat.microsPerDay + (hour * 3600 + minute * 60 + second) * TemporalFormat.microsPerSecond
    }

    /// `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH:MM|±HHMM]` as microseconds since the epoch in
    /// UTC (a fraction beyond microseconds is truncated). With `acceptDate`, a bare `YYYY-MM-DD`
    /// is midnight UTC.
    static func parseTimestamp(_ field: UnsafeBufferPointer<UInt8>, acceptDate: Bool) -> Int64? {
        let n = field.count
        guard n >= 10, let p = field.baseAddress, let days = dayNumber(p) else { return nil }
        var micros = Int64(days) * TemporalFormat.microsPerDay
        if n == 10 { return acceptDate ? micros : nil }
        guard n >= 16, p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: "t") || p[10] == UInt8(ascii: " "),
              p[13] == UInt8(ascii: ":"), let hour = digits(p + 11, 2), let minute = digits(p + 14, 2),
              hour <= 23, minute <= 59 else { return nil }
        var seconds = hour * 3600 + minute * 60
        var i = 16
        if i < n && p[i] == UInt8(ascii: ":") {
            guard i + 3 <= n, let second = digits(p + i + 1, 2), second <= 59 else { return nil }
            seconds += second
            i += 3
            if i < n && p[i] == UInt8(ascii: ".") {
                i += 1
                var fraction = 0, fractionDigits = 0
                while i < n, p[i] &- 48 < 10 {
                    guard fractionDigits < 9 else { return nil }
                    if fractionDigits < 6 { fraction = fraction * 10 + Int(p[i] &- 48) }
                    fractionDigits += 1
                    i += 1
                }
                guard fractionDigits > 0 else { return nil }
                for _ in min(fractionDigits, 6)..<6 { fraction *= 10 }
                micros += Int64(fraction)
            }
        }
        micros += Int64(seconds) * TemporalFormat.microsPerSecond
        if i == n { return micros }
        if (p[i] == UInt8(ascii: "Z") || p[i] == UInt8(ascii: "z")) && i + 1 == n { return micros }
        guard p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") else { return nil }
        let sign: Int64 = p[i] == UInt8(ascii: "+") ? 1 : -1
        let rest = n - i - 1
        let zone = p + i + 1
        let offsetHours: Int?, offsetMinutes: Int?
        if rest == 5 && zone[2] == UInt8(ascii: ":") {
            offsetHours = digits(zone, 2); offsetMinutes = digits(zone + 3, 2)
        } else if rest == 4 {
            offsetHours = digits(zone, 2); offsetMinutes = digits(zone + 2, 2)
        } else {
            return nil
        }
        guard let h = offsetHours, let m = offsetMinutes, h <= 23, m <= 59 else { return nil }
        // Local time = UTC + offset, so UTC = local - offset.
        return micros - sign * Int64(h * 3600 + m * 60) * TemporalFormat.microsPerSecond
    }
}
