#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DoppelTable

/// Maps distinct UTF-8 strings to dense Int32 codes in order of first appearance, tuned for the
/// short values of CSV columns: a word-at-a-time hash (instead of FNV-1a's byte loop), one
/// 8-byte table entry per slot holding 32 hash bits and the code (so most mismatches are
/// rejected without touching the strings), linear probing at load ≤ 1/2.
struct StringDictionaryBuilder: ~Copyable {
    private var table: UnsafeMutablePointer<UInt64>
    private var mask: Int
    private var offsets: UnsafeMutablePointer<Int32>
    private var offsetCapacity: Int
    private var bytes: UnsafeMutablePointer<UInt8>
    private var byteCapacity: Int
    private var byteCount = 0
    /// Number of distinct strings.
    private(set) var count = 0

    init() {
        mask = 63
        table = .allocate(capacity: mask + 1)
        table.initialize(repeating: 0, count: mask + 1)
        offsetCapacity = 64
        offsets = .allocate(capacity: offsetCapacity)
        offsets[0] = 0
        byteCapacity = 1024
        bytes = .allocate(capacity: byteCapacity)
    }

    deinit {
        table.deallocate()
        offsets.deallocate()
        bytes.deallocate()
    }

    /// The bytes of string `code`.
    @inline(__always)
    func string(_ code: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(offsets[code])
        return UnsafeBufferPointer(start: bytes + start, count: Int(offsets[code + 1]) - start)
    }

    /// A read-only view for lookups; valid until the next insertion.
    var probe: Probe { Probe(table: table, mask: mask, offsets: offsets, bytes: bytes) }

    /// Lookups without insertion, so that a caller that may still give up on a value (the CSV
    /// fast path, which commits a row only when it is whole) leaves no trace in the dictionary.
    struct Probe {
        let table: UnsafeMutablePointer<UInt64>
        let mask: Int
        let offsets: UnsafeMutablePointer<Int32>
        let bytes: UnsafeMutablePointer<UInt8>

        /// The code of `value`, or the free slot where it would go as a negative number
        /// (`-1 - slot`).
        @inline(__always)
        func find(_ value: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> Int {
            let tag = h >> 32
            var slot = Int(truncatingIfNeeded: h) & mask
            while true {
                let entry = table[slot]
                if entry == 0 { return -1 - slot }
                if entry >> 32 == tag {
                    let code = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                    let start = Int(offsets[code])
                    let existing = UnsafeBufferPointer(start: bytes + start, count: Int(offsets[code + 1]) - start)
                    if StringDictionaryBuilder.equal(existing, value) { return code }
                }
                slot = (slot + 1) & mask
            }
        }

        /// The code of `value`, or -1 when the dictionary does not hold it.
        @inline(__always)
        func code(of value: UnsafeBufferPointer<UInt8>) -> Int {
            max(-1, find(value, hash: StringDictionaryBuilder.hash(value)))
        }
    }

    /// The code of `value`, adding it when new; `isNew` tells which.
    @inline(__always)
    mutating func intern(_ value: UnsafeBufferPointer<UInt8>) -> (code: Int32, isNew: Bool) {
        let h = StringDictionaryBuilder.hash(value)
        let found = probe.find(value, hash: h)
        if found >= 0 { return (Int32(found), false) }
        let slot = -1 - found
        let tag = h >> 32
        let code = count
        append(value)
        table[slot] = tag << 32 | UInt64(code + 1)
        if count * 2 > mask { grow() }
        return (Int32(code), true)
    }

    private mutating func append(_ value: UnsafeBufferPointer<UInt8>) {
        if count + 2 > offsetCapacity {
            offsetCapacity *= 2
            offsets = reallocate(offsets, offsetCapacity)
        }
        if byteCount + value.count > byteCapacity {
            byteCapacity = max(byteCapacity * 2, byteCount + value.count)
            bytes = reallocate(bytes, byteCapacity)
        }
        if let source = value.baseAddress, value.count > 0 { (bytes + byteCount).update(from: source, count: value.count) }
        byteCount += value.count
        count += 1
        precondition(byteCount <= Int(Int32.max), "string dictionary exceeds 2 GiB")
        offsets[count] = Int32(byteCount)
    }

    private func reallocate<T>(_ pointer: UnsafeMutablePointer<T>, _ capacity: Int) -> UnsafeMutablePointer<T> {
        guard let grown = realloc(pointer, capacity * MemoryLayout<T>.stride) else { fatalError("out of memory") }
        return grown.assumingMemoryBound(to: T.self)
    }

    private mutating func grow() {
        let size = (mask + 1) * 2
        let newTable = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        newTable.initialize(repeating: 0, count: size)
        let newMask = size - 1
        for i in 0...mask where table[i] != 0 {
            let entry = table[i]
            let code = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
            var slot = Int(truncatingIfNeeded: StringDictionaryBuilder.hash(string(code))) & newMask
            while newTable[slot] != 0 { slot = (slot + 1) & newMask }
            newTable[slot] = entry
        }
        table.deallocate()
        table = newTable
        mask = newMask
    }

    /// The distinct strings in code order.
    consuming func finish() -> StringArray {
        var offsetBuilder = BufferBuilder<Int32>(capacity: count + 1)
        offsetBuilder.append(contentsOf: UnsafeBufferPointer(start: offsets, count: count + 1))
        var byteBuilder = BufferBuilder<UInt8>(capacity: byteCount)
        byteBuilder.append(contentsOf: UnsafeBufferPointer(start: bytes, count: byteCount))
        return StringArray(offsets: offsetBuilder.finish(), bytes: byteBuilder.finish())
    }

    /// Byte equality; strings up to 16 bytes are compared with two overlapping loads per side.
    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = a.count
        guard n == b.count else { return false }
        guard n > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        let ra = UnsafeRawPointer(pa), rb = UnsafeRawPointer(pb)
        if n >= 8 && n <= 16 {
            return ra.loadUnaligned(as: UInt64.self) == rb.loadUnaligned(as: UInt64.self)
                && ra.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == rb.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n >= 4 && n < 8 {
            return ra.loadUnaligned(as: UInt32.self) == rb.loadUnaligned(as: UInt32.self)
                && ra.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == rb.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        }
        if n < 4 {
            for i in 0..<n where pa[i] != pb[i] { return false }
            return true
        }
        return memcmp(ra, rb, n) == 0
    }

    /// A 64-bit hash of short byte strings: up to two overlapping 8-byte (or 4-byte) loads per
    /// 16 bytes, mixed with multiply-xorshift steps (the MurmurHash3 finaliser constants).
    @inline(__always)
    static func hash(_ value: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = value.count
        guard let p = value.baseAddress, n > 0 else { return 0x9E37_79B9_7F4A_7C15 }
        let raw = UnsafeRawPointer(p)
        var h = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        if n >= 8 {
            var i = 0
            while i + 8 < n {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 32
                i += 8
            }
            h = (h ^ raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
        } else if n >= 4 {
            let a = UInt64(raw.loadUnaligned(as: UInt32.self)), b = UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            h = (h ^ (a << 32 | b)) &* 0xC4CE_B9FE_1A85_EC53
        } else {
            h = (h ^ (UInt64(p[0]) << 16 | UInt64(p[n >> 1]) << 8 | UInt64(p[n - 1]))) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }
}
