/// Bit unpacking and the RLE / bit-packed hybrid encoding (parquet-format `Encodings.md`,
/// "Run Length Encoding / Bit-Packing Hybrid (RLE = 3)"), used for definition levels,
/// dictionary indices and booleans. Bits are packed least significant first.
enum BitPacking {
    /// Reads bits `[bit, bit + width)` (width ≤ 64) of `bytes` as an unsigned integer.
    @inline(__always)
    static func extract(_ bytes: UnsafeRawBufferPointer, bit: Int, width: Int) -> UInt64 {
        let byte = bit >> 3, shift = bit & 7
        let base = bytes.baseAddress!
        if byte + 8 <= bytes.count && shift + width <= 64 {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
            return width == 64 ? word : (word >> UInt64(shift)) & ((1 << UInt64(width)) - 1)
        }
        // Slow path: near the end of the buffer or a value spanning 9 bytes.
        var value: UInt64 = 0
        var got = 0
        var b = byte
        var s = shift
        while got < width && b < bytes.count {
            let available = 8 - s
            let take = min(available, width - got)
            let bits = (UInt64(base.load(fromByteOffset: b, as: UInt8.self)) >> UInt64(s)) & ((1 << UInt64(take)) - 1)
            value |= bits << UInt64(got)
            got += take
            b += 1
            s = 0
        }
        return value
    }

    /// Unpacks `count` values of `width` bits (≤ 32) into `dst`. `bytes` must hold
    /// `ceil(count * width / 8)` bytes.
    static func unpack32(_ bytes: UnsafeRawBufferPointer, count: Int, width: Int, into dst: UnsafeMutablePointer<UInt32>) {
        if width == 0 {
            dst.initialize(repeating: 0, count: count)
            return
        }
        let base = bytes.baseAddress!
        let fastEnd = max(0, min(count, ((bytes.count - 8) * 8) / width))
        let mask = width == 32 ? UInt64(UInt32.max) : (UInt64(1) << UInt64(width)) - 1
        var i = 0
        var bit = 0
        while i < fastEnd {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
            dst[i] = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
            bit += width
            i += 1
        }
        while i < count {
            dst[i] = UInt32(truncatingIfNeeded: extract(bytes, bit: bit, width: width))
            bit += width
            i += 1
        }
    }

    /// Unpacks `count` values of `width` bits (≤ 64) into `dst`.
    static func unpack64(_ bytes: UnsafeRawBufferPointer, count: Int, width: Int, into dst: UnsafeMutablePointer<UInt64>) {
        if width == 0 {
            dst.initialize(repeating: 0, count: count)
            return
        }
        for i in 0..<count { dst[i] = extract(bytes, bit: i * width, width: width) }
    }

    /// Number of bits needed for values up to `maxValue`.
    static func bitWidth(_ maxValue: UInt64) -> Int { maxValue == 0 ? 0 : 64 - maxValue.leadingZeroBitCount }
}

/// Reads unsigned LEB128 varints and fixed-size values from a byte range, checking bounds.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - position }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw ParquetDecodeError("varint runs past the end of the page") }
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            guard shift < 70 else { throw ParquetDecodeError("varint too long") }
        }
    }

    mutating func zigzag() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else { throw ParquetDecodeError("needs \(n) bytes, only \(remaining) left in the page") }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
        position += n
        return slice
    }

    mutating func uint32() throws -> UInt32 {
        let b = try take(4)
        return UInt32(littleEndian: b.loadUnaligned(as: UInt32.self))
    }

    var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[position...]) }
}

/// Decoder of the RLE / bit-packed hybrid encoding.
enum RLEHybrid {
    /// Decodes `count` values of `width` bits (≤ 32) from `data` into `dst`; returns the bytes
    /// consumed. A stream that ends early is an error.
    @discardableResult
    static func decode(_ data: UnsafeRawBufferPointer, width: Int, count: Int, into dst: UnsafeMutablePointer<UInt32>) throws -> Int {
        guard width >= 0 && width <= 32 else { throw ParquetDecodeError("bit width \(width) out of range") }
        var cursor = ByteCursor(data)
        var filled = 0
        let valueBytes = (width + 7) / 8
        while filled < count {
            let header = try cursor.varint()
            if header & 1 == 0 {
                let run = header >> 1
                guard run > 0 else { throw ParquetDecodeError("empty RLE run") }
                let raw = try cursor.take(valueBytes)
                var value: UInt32 = 0
                for i in 0..<valueBytes { value |= UInt32(raw[i]) << UInt32(8 * i) }
                let n = Int(min(run, UInt64(count - filled)))
                (dst + filled).initialize(repeating: value, count: n)
                filled += n
            } else {
                let groups = header >> 1
                guard groups > 0, groups <= UInt64(cursor.remaining) else { throw ParquetDecodeError("bit-packed run longer than the page") }
                let values = Int(groups) * 8
                let byteCount = Int(groups) * width
                let available = min(byteCount, cursor.remaining)
                let packed = try cursor.take(available)
                let n = min(values, count - filled)
                guard n * width <= available * 8 else { throw ParquetDecodeError("bit-packed run truncated") }
                BitPacking.unpack32(packed, count: n, width: width, into: dst + filled)
                filled += n
            }
        }
        return cursor.position
    }
}

/// Encoder of the RLE / bit-packed hybrid encoding: runs of 8 or more equal values become RLE
/// runs, everything else bit-packed groups of 8 (the last group zero-padded).
struct RLEHybridEncoder {
    let width: Int
    private(set) var bytes: [UInt8] = []
    private var literals: [UInt32] = []

    init(width: Int) { self.width = width }

    mutating func encode(_ values: UnsafeBufferPointer<UInt32>) {
        let n = values.count
        var i = 0
        while i < n {
            let v = values[i]
            var run = 1
            while i + run < n && values[i + run] == v { run += 1 }
            if run >= 8 {
                // Complete the pending literal group with values of the run first.
                let fill = (8 - literals.count % 8) % 8
                if fill > 0 {
                    for _ in 0..<min(fill, run) { literals.append(v) }
                    i += min(fill, run)
                    run -= min(fill, run)
                }
                if run >= 8 {
                    flushLiterals()
                    writeRun(v, run)
                } else {
                    for _ in 0..<run { literals.append(v) }
                }
                i += run
            } else {
                for _ in 0..<run { literals.append(v) }
                i += run
            }
        }
    }

    private mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    private mutating func writeRun(_ value: UInt32, _ count: Int) {
        writeVarint(UInt64(count) << 1)
        for i in 0..<((width + 7) / 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(8 * i))) }
    }

    private mutating func flushLiterals() {
        guard !literals.isEmpty else { return }
        while literals.count % 8 != 0 { literals.append(0) }
        let groups = literals.count / 8
        writeVarint(UInt64(groups) << 1 | 1)
        // Width ≤ 32 and fewer than 8 bits pending, so the accumulator never overflows; 8
        // values of `width` bits are exactly `width` bytes, so nothing is left over.
        var accumulator: UInt64 = 0
        var pending = 0
        for v in literals {
            accumulator |= UInt64(v) << UInt64(pending)
            pending += width
            while pending >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                pending -= 8
            }
        }
        literals.removeAll(keepingCapacity: true)
    }

    /// The encoded bytes (flushes pending literals).
    mutating func finish() -> [UInt8] {
        flushLiterals()
        return bytes
    }
}
