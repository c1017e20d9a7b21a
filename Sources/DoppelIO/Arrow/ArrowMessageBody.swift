import DoppelTable

/// The body of one record batch or dictionary batch being written: field nodes, buffer
/// positions and the bytes to copy, each buffer starting at a multiple of 64 bytes.
///
/// The parts point straight into column memory (kept alive by their storage), so writing a
/// table copies its fixed-width data only once, from memory into the file.
struct ArrowMessageBody {
    struct Part {
        let storage: BufferStorage?
        let bytes: UnsafeRawBufferPointer
    }

    private(set) var nodes: [ArrowFieldNode] = []
    private(set) var buffers: [ArrowBufferRange] = []
    private(set) var parts: [Part] = []
    /// Body length, a multiple of ``ArrowFormat/bodyAlignment``.
    private(set) var length = 0

    mutating func addNode(length: Int, nullCount: Int) {
        nodes.append(ArrowFieldNode(length: Int64(length), nullCount: Int64(nullCount)))
    }

    mutating func addEmptyBuffer() {
        buffers.append(ArrowBufferRange(offset: Int64(length), length: 0))
    }

    /// Adds the first `byteCount` bytes of `buffer` (all of them by default).
    mutating func add<T>(_ buffer: Buffer<T>, byteCount: Int? = nil) {
        let bytes = buffer.rawBytes
        let count = byteCount ?? bytes.count
        precondition(count <= bytes.count, "body buffer shorter than its declared length")
        buffers.append(ArrowBufferRange(offset: Int64(length), length: Int64(count)))
        parts.append(Part(storage: buffer.storage, bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<count])))
        let alignment = ArrowFormat.bodyAlignment
        length += (count + alignment - 1) / alignment * alignment
    }

    /// Adds a validity bitmap (re-aligned to bit 0), or an empty buffer when nothing is missing.
    mutating func addValidity(_ validity: ValidityBitmap?, count: Int) {
        if let validity, validity.nullCount > 0 {
            add(ArrowMessageBody.realign(validity))
        } else {
            addEmptyBuffer()
        }
    }

    /// The bits of `bitmap` starting at bit 0 of a fresh buffer, unused high bits of the last
    /// byte cleared (so a slice writes the same bytes as an equal table built from scratch).
    /// Shifts whole bytes: a word-at-a-time version of `ValidityBitmap.aligned()`.
    static func realign(_ bitmap: ValidityBitmap) -> Buffer<UInt8> {
        let byteCount = (bitmap.count + 7) / 8
        guard byteCount > 0 else { return Buffer() }
        let first = bitmap.bitOffset >> 3, shift = UInt8(bitmap.bitOffset & 7)
        var out = BufferBuilder<UInt8>(capacity: byteCount)
        bitmap.bytes.withUnsafeBufferPointer { src in
            out.appendUninitialized(count: byteCount) { dst in
                for i in 0..<byteCount {
                    let low = src[first + i] >> shift
                    let high = shift != 0 && first + i + 1 < src.count ? src[first + i + 1] << (8 - shift) : 0
                    dst[i] = low | high
                }
                let tail = bitmap.count & 7
                if tail != 0 { dst[byteCount - 1] &= UInt8((1 << tail) - 1) }
            }
        }
        return out.finish()
    }

    /// Adds the node and buffers of a Utf8 array (validity, int32 offsets from 0, bytes).
    /// A slice that starts later gets re-based offsets (a copy of the offsets only); its bytes
    /// are written straight from the parent's buffer.
    mutating func addStrings(_ strings: StringArray, validity: ValidityBitmap?) {
        let n = strings.count
        let first = Int(strings.offsets[0]), last = Int(strings.offsets[n])
        addNode(length: n, nullCount: validity?.nullCount ?? 0)
        addValidity(validity, count: n)
        if first == 0 {
            add(strings.offsets)
        } else {
            var rebased = BufferBuilder<Int32>(capacity: n + 1)
            strings.offsets.withUnsafeBufferPointer { offsets in
                rebased.appendUninitialized(count: n + 1) { dst in
                    for i in 0...n { dst[i] = offsets[i] - Int32(first) }
                }
            }
            add(rebased.finish())
        }
        add(strings.bytes.slice(first..<last))
    }

    /// Adds one column of a record batch (dictionary columns add only their Int32 indices).
    mutating func addColumn(_ column: Column) {
        switch column {
        case .int64(let c), .timestamp(let c): addPrimitive(c)
        case .int8(let c): addPrimitive(c)
        case .int16(let c): addPrimitive(c)
        case .int32(let c), .date(let c): addPrimitive(c)
        case .float64(let c): addPrimitive(c)
        case .bool(let c):
            addNode(length: c.count, nullCount: c.nullCount)
            addValidity(c.validity, count: c.count)
            add(ArrowMessageBody.packBits(c.values))
        case .string(let c):
            switch c.storage {
            case .plain(let strings):
                addStrings(strings, validity: c.validity)
            case .dictionary(let codes, _):
                addNode(length: c.count, nullCount: c.nullCount)
                addValidity(c.validity, count: c.count)
                add(codes)
            }
        }
    }

    private mutating func addPrimitive<T>(_ column: PrimitiveColumn<T>) {
        addNode(length: column.count, nullCount: column.nullCount)
        addValidity(column.validity, count: column.count)
        add(column.values)
    }

    /// Packs one byte per value (non-zero = true) into Arrow's LSB-first bitmap.
    static func packBits(_ values: Buffer<UInt8>) -> Buffer<UInt8> {
        let byteCount = (values.count + 7) / 8
        guard byteCount > 0 else { return Buffer() }
        var out = BufferBuilder<UInt8>(capacity: byteCount)
        values.withUnsafeBufferPointer { src in
            out.appendUninitialized(count: byteCount) { dst in
                for i in 0..<byteCount {
                    var packed: UInt8 = 0
                    let end = Swift.min(8, src.count - 8 * i)
                    for bit in 0..<end where src[8 * i + bit] != 0 { packed |= 1 << UInt8(bit) }
                    dst[i] = packed
                }
            }
        }
        return out.finish()
    }
}
