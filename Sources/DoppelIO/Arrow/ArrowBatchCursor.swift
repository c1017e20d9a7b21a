import DoppelTable

/// One buffer of a record batch body and the storage that owns its memory (the file mapping,
/// or a decompressed copy).
struct ArrowBodyBuffer {
    let bytes: UnsafeRawBufferPointer
    let storage: BufferStorage

    /// The first `count` elements as a typed buffer: zero copy when the bytes are aligned for
    /// `T`, else copied. The caller has checked that `bytes` holds them.
    func view<T: BitwiseCopyable>(count: Int, as type: T.Type) -> Buffer<T> {
        guard count > 0, let base = bytes.baseAddress else { return Buffer() }
        precondition(count <= bytes.count / MemoryLayout<T>.stride)
        if Int(bitPattern: base) % MemoryLayout<T>.alignment == 0 {
            return Buffer(storage: storage, start: base.assumingMemoryBound(to: T.self), count: count)
        }
        var copy = BufferBuilder<T>(capacity: count)
        copy.appendUninitialized(count: count) { dst in
            UnsafeMutableRawBufferPointer(dst).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<(count * MemoryLayout<T>.stride)]))
        }
        return copy.finish()
    }

    /// The bytes from `range` (which must lie inside), sharing the storage.
    func slice(_ range: Range<Int>) -> ArrowBodyBuffer {
        ArrowBodyBuffer(bytes: UnsafeRawBufferPointer(rebasing: bytes[range]), storage: storage)
    }
}

/// Walks the field nodes and buffers of one record batch in schema order, handing out buffers
/// that are checked to lie inside the message body (which itself lies inside the mapped file),
/// decompressed when the batch is compressed.
struct ArrowBatchCursor {
    let header: ArrowRecordBatchHeader
    let body: UnsafeRawBufferPointer
    /// Owner of the mapping; buffers made from the body keep it alive.
    let storage: BufferStorage
    let compression: ArrowBodyCompression?
    private var nextNode = 0
    private var nextBuffer = 0
    private var nextVariadicCount = 0

    init(header: ArrowRecordBatchHeader, body: UnsafeRawBufferPointer, storage: BufferStorage) {
        self.header = header
        self.body = body
        self.storage = storage
        self.compression = header.compression
    }

    mutating func node() throws(ArrowFormatError) -> ArrowFieldNode {
        guard nextNode < header.nodes.count else { throw ArrowFormatError("the record batch has fewer field nodes than the schema has fields") }
        let node = header.nodes[nextNode]
        nextNode += 1
        guard node.length >= 0, node.nullCount >= 0, node.nullCount <= node.length else {
            throw ArrowFormatError("invalid field node (length \(node.length), null count \(node.nullCount))")
        }
        return node
    }

    /// The number of data buffers of the next view-layout field.
    mutating func variadicBufferCount() throws(ArrowFormatError) -> Int {
        guard nextVariadicCount < header.variadicBufferCounts.count else {
            throw ArrowFormatError("the record batch lacks the data buffer count of a utf8_view field")
        }
        let count = header.variadicBufferCounts[nextVariadicCount]
        nextVariadicCount += 1
        guard count >= 0, count <= Int64(header.buffers.count) else { throw ArrowFormatError("invalid data buffer count \(count)") }
        return Int(count)
    }

    /// The next buffer; `limit` is the most bytes its column can use (bounds decompression).
    mutating func buffer(limit: Int) throws(ArrowFormatError) -> ArrowBodyBuffer {
        guard nextBuffer < header.buffers.count else { throw ArrowFormatError("the record batch has fewer buffers than its fields need") }
        let range = header.buffers[nextBuffer]
        nextBuffer += 1
        guard range.offset >= 0, range.length >= 0, range.offset <= Int64(body.count), range.length <= Int64(body.count) - range.offset else {
            throw ArrowFormatError("buffer \(nextBuffer - 1) (offset \(range.offset), length \(range.length)) lies outside the \(body.count)-byte message body")
        }
        let raw = UnsafeRawBufferPointer(rebasing: body[Int(range.offset)..<Int(range.offset + range.length)])
        guard let compression, raw.count > 0 else { return ArrowBodyBuffer(bytes: raw, storage: storage) }
        // Arrow C++ pads decompressed sizes to 8 bytes at most; allow a little slack.
        let buffer = try compression.decompress(raw, limit: min(limit, Int.max - 64) + 64)
        return ArrowBodyBuffer(bytes: buffer.rawBytes, storage: buffer.storage)
    }
}
