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
