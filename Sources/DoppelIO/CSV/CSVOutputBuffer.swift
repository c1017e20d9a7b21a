import DoppelTable

/// A growable byte buffer with cheap appends of the pieces a CSV row is made of (digits, dates,
/// quoted text); no `String` per value.
struct CSVOutputBuffer: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 21) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    mutating func removeAll() { count = 0 }

    @inline(__always)
    mutating func ensure(_ extra: Int) {
        guard count + extra > capacity else { return }
        let newCapacity = max(count + extra, capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        ensure(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        ensure(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Decimal digits of `value`.
    @inline(__always)
    mutating func append(_ value: Int64) {
        ensure(20)
        var magnitude = value.magnitude
        if value < 0 { base[count] = UInt8(ascii: "-"); count += 1 }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes of scratch
        let written: Int = withUnsafeMutableBytes(of: &digits) { scratch in
            var i = scratch.count
            repeat {
                i -= 1
                scratch[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            let n = scratch.count - i
            (base + count).update(from: scratch.baseAddress!.assumingMemoryBound(to: UInt8.self) + i, count: n)
            return n
        }
        count += written
    }

    /// `value` with exactly `width` digits (value < 10^width).
    @inline(__always)
    mutating func appendPadded(_ value: Int, width: Int) {
        ensure(width)
        var v = value
        var i = width - 1
        while i >= 0 {
            base[count + i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
        count += width
    }

    /// The shortest text that reads back as the same Double (Swift's `description`, which is
    /// short enough to live inline in the `String`, so no allocation per value). NaN is written
    /// as `NaN`, a default missing-value token.
    @inline(__always)
    mutating func append(_ value: Double) {
        if value.isNaN { append("NaN"); return }
        var text = value.description
        text.withUTF8 { append($0) }
    }

    /// `YYYY-MM-DD` (as ``TemporalFormat/appendDate(days:to:)``).
    mutating func appendDate(days: Int) {
        let (y, m, d) = TemporalFormat.civilFromDays(days)
        guard y >= 0 && y <= 9999 else {
            var out: [UInt8] = []
            TemporalFormat.appendDate(days: days, to: &out)
            out.withUnsafeBufferPointer { append($0) }
            return
        }
        appendPadded(y, width: 4)
        append(UInt8(ascii: "-"))
        appendPadded(m, width: 2)
        append(UInt8(ascii: "-"))
        appendPadded(d, width: 2)
    }

    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC, the fraction without trailing zeros (as
    /// ``TemporalFormat/appendTimestamp(micros:to:)``).
    mutating func appendTimestamp(micros: Int64) {
        let (days, remainder) = micros.quotientAndRemainder(dividingBy: TemporalFormat.microsPerDay)
        let day = remainder < 0 ? days - 1 : days
        let inDay = remainder < 0 ? remainder + TemporalFormat.microsPerDay : remainder
        appendDate(days: Int(day))
        append(UInt8(ascii: " "))
        let seconds = Int(inDay / TemporalFormat.microsPerSecond)
        appendPadded(seconds / 3600, width: 2)
        append(UInt8(ascii: ":"))
        appendPadded(seconds / 60 % 60, width: 2)
        append(UInt8(ascii: ":"))
        appendPadded(seconds % 60, width: 2)
        var fraction = Int(inDay % TemporalFormat.microsPerSecond)
        if fraction != 0 {
            append(UInt8(ascii: "."))
            var width = 6
            while fraction % 10 == 0 { fraction /= 10; width -= 1 }
            appendPadded(fraction, width: width)
        }
    }
}
