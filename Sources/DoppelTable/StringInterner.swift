/// Maps distinct UTF-8 strings to dense Int32 codes (0, 1, 2, … in order of first appearance).
///
/// Open addressing with linear probing over a power-of-two table, keyed by the 64-bit FNV-1a
/// hash of the bytes; strings live once in a ``StringArrayBuilder``. This is what dictionary-
/// encodes string columns without creating a `String` per value (a Swift `Dictionary` keyed by
/// `String` was measured 30 % slower on CSV parsing, see docs/ARCHITECTURE.md).
public struct StringInterner: ~Copyable {
    @usableFromInline var strings: StringArrayBuilder
    @usableFromInline var hashes: [UInt64] = []
    /// slot -> code + 1 (0 = empty)
    @usableFromInline var slots: [Int32]
    @usableFromInline var mask: Int

    public init(capacity: Int = 16) {
        var size = 32
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        strings = StringArrayBuilder()
    }

    /// Number of distinct strings.
    public var count: Int { strings.count }
    /// Total UTF-8 bytes of the distinct strings.
    public var byteCount: Int { strings.byteCount }

    /// 64-bit FNV-1a.
    @inlinable public static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// The code of `bytes`, adding it when new.
    @inlinable public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let h = StringInterner.hash(bytes)
        var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let code = Int(entry - 1)
            if hashes[code] == h && strings.equals(code, bytes) { return Int32(code) }
            slot = (slot + 1) & mask
        }
        let code = Int32(strings.count)
        strings.append(utf8: bytes)
        hashes.append(h)
        slots[slot] = code + 1
        if strings.count * 2 > slots.count { grow() }
        return code
    }

    /// The code of `string`, adding it when new.
    public mutating func intern(_ string: String) -> Int32 {
        var s = string
        return s.withUTF8 { intern($0) }
    }

    @usableFromInline mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for (code, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(code + 1)
        }
    }

    /// The distinct strings, in code order.
    public consuming func finish() -> StringArray { strings.finish() }
}

extension StringArrayBuilder {
    @inlinable func equals(_ index: Int, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(offsets[index]), end = Int(offsets[index + 1])
        guard end - start == other.count else { return false }
        return bytes.withUnsafeBufferPointer { all in
            let mine = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(all)[start..<end])
            return other.count == 0 || memcmp(mine.baseAddress!, other.baseAddress!, other.count) == 0
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
