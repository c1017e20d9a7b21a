#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DoppelTable

/// Collects validity bits 64 at a time in a register and stores whole words, which is what
/// makes it cheap enough for the per-value loops. The words are little-endian, so their bytes
/// are exactly the LSB-first bitmap of ``ValidityBitmap``.
struct ValidityWriter: ~Copyable {
    private var words = BufferBuilder<UInt64>()
    private var word: UInt64 = 0
    private(set) var count = 0
    private(set) var nullCount = 0

    init(capacity: Int = 0) {
        if capacity > 0 { words.reserve(capacity / 64 + 1) }
    }

    @inline(__always)
    mutating func append(_ valid: Bool) {
        word |= UInt64(valid ? 1 : 0) << UInt64(count & 63)
        nullCount += valid ? 0 : 1
        count += 1
        if count & 63 == 0 {
            words.append(word)
            word = 0
        }
    }

    /// Whether row `row` (< ``count``) was appended as present.
    func isValid(_ row: Int) -> Bool {
        let index = row >> 6
        let bits = index < count >> 6 ? words[index] : word
        return (bits >> UInt64(row & 63)) & 1 != 0
    }

    /// The bitmap, or `nil` when every value is present.
    consuming func finish() -> ValidityBitmap? {
        let rows = count, nulls = nullCount
        if rows & 63 != 0 { words.append(word) }
        let buffer = words.finish()
        guard nulls > 0 else { return nil }
        let bytes = Buffer<UInt8>(storage: buffer.storage, start: UnsafeRawPointer(buffer.storage.baseAddress).assumingMemoryBound(to: UInt8.self), count: (rows + 7) / 8)
        return ValidityBitmap(bytes: bytes, count: rows, nullCount: nulls)
    }
}

extension ValidityWriter {
    /// Appends the low `n` bits of `bits` (n ≤ 64; higher bits must be zero).
    @inline(__always)
    mutating func append(bits: UInt64, count n: Int) {
        guard n > 0 else { return }
        let used = count & 63
        word |= bits &<< UInt64(used)
        if used + n >= 64 {
            words.append(word)
            word = used == 0 ? 0 : bits &>> UInt64(64 - used)
        }
        nullCount += n - bits.nonzeroBitCount
        count += n
    }

    /// Appends one bit per flag byte: valid when the flag's low bit is clear (the CSV fast
    /// path's 0 = present, 1 = missing, 2 = present inside quotes). Eight flags become eight
    /// bits with one multiplication: byte k's low bit lands in bit 56 + k.
    mutating func append(missingFlags flags: UnsafePointer<UInt8>, count: Int) {
        var row = 0
        while row + 8 <= count {
            let word = UnsafeRawPointer(flags + row).loadUnaligned(as: UInt64.self)
            let valid = ~word & 0x0101_0101_0101_0101
            append(bits: (valid &* 0x0102_0408_1020_4080) >> 56, count: 8)
            row += 8
        }
        while row < count {
            append(flags[row] & 1 == 0)
            row += 1
        }
    }

    /// Appends the validity of `rows` rows: all valid when `bitmap` is `nil`.
    mutating func append(_ bitmap: ValidityBitmap?, rows: Int) {
        guard let bitmap else {
            var left = rows
            while left > 0 {
                let n = min(64, left)
                append(bits: n == 64 ? ~0 : (1 << UInt64(n)) - 1, count: n)
                left -= n
            }
            return
        }
        guard bitmap.bitOffset == 0 else {
            for row in 0..<rows { append(bitmap.isValid(row)) }
            return
        }
        bitmap.bytes.withUnsafeBufferPointer { bytes in
            var row = 0
            while row < rows {
                let n = min(64, rows - row)
                let first = row >> 3
                var bits: UInt64 = 0
                if first + 8 <= bytes.count {
                    bits = UnsafeRawPointer(bytes.baseAddress! + first).loadUnaligned(as: UInt64.self)
                } else {
                    for k in 0..<(bytes.count - first) { bits |= UInt64(bytes[first + k]) << UInt64(8 * k) }
                }
                if n < 64 { bits &= (1 << UInt64(n)) - 1 }
                append(bits: bits, count: n)
                row += n
            }
        }
    }
}
