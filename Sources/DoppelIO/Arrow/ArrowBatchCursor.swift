import DoppelTable

/// Walks the field nodes and buffers of one record batch in schema order, handing out buffers
/// that are checked to lie inside the message body (which itself lies inside the mapped file).
struct ArrowBatchCursor {
    let header: ArrowRecordBatchHeader
    let body: UnsafeRawBufferPointer
    /// Owner of the mapping; buffers made from the body keep it alive.
    let storage: BufferStorage
    private var nextNode = 0
    private var nextBuffer = 0

    init(header: ArrowRecordBatchHeader, body: UnsafeRawBufferPointer, storage: BufferStorage) {
        self.header = header
        self.body = body
        self.storage = storage
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

    mutating func buffer() throws(ArrowFormatError) -> UnsafeRawBufferPointer {
        guard nextBuffer < header.buffers.count else { throw ArrowFormatError("the record batch has fewer buffers than its fields need") }
        let range = header.buffers[nextBuffer]
        nextBuffer += 1
        guard range.offset >= 0, range.length >= 0, range.offset <= Int64(body.count), range.length <= Int64(body.count) - range.offset else {
            throw ArrowFormatError("buffer \(nextBuffer - 1) (offset \(range.offset), length \(range.length)) lies outside the \(body.count)-byte message body")
        }
        return UnsafeRawBufferPointer(rebasing: body[Int(range.offset)..<Int(range.offset + range.length)])
    }

    /// A typed view of the first `count` elements of `raw`: zero-copy when the bytes are
    /// aligned for `T`, else copied.
    func view<T: BitwiseCopyable>(_ raw: UnsafeRawBufferPointer, count: Int, as type: T.Type) -> Buffer<T> {
        guard count > 0, let base = raw.baseAddress else { return Buffer() }
        precondition(count <= raw.count / MemoryLayout<T>.stride)
        if Int(bitPattern: base) % MemoryLayout<T>.alignment == 0 {
            return Buffer(storage: storage, start: base.assumingMemoryBound(to: T.self), count: count)
        }
        var copy = BufferBuilder<T>(capacity: count)
        copy.appendUninitialized(count: count) { dst in
            UnsafeMutableRawBufferPointer(dst).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<(count * MemoryLayout<T>.stride)]))
        }
        return copy.finish()
    }
}
