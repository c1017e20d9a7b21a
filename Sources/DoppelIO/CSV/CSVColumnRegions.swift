#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import DoppelTable

/// Shared memory that the chunk parsers of one read write their fixed-width values into, so
/// that joining the chunks' parts of a column needs no copy into new memory.
///
/// Chunk `i` owns rows `start_i ..< start_i + capacity_i` of every column, where the capacity is
/// its expected row count (``CSVChunker/Chunk/expectedRows``) plus a quarter and 64 rows, and
/// `start_i` the sum of the capacities before it. Rows are known only after the parse, so the
/// parts lie in order with gaps between them; ``compact(_:column:)`` closes the gaps in place, one
/// move per part. A chunk with more rows than its window continues in memory of its own and
/// its column is then copied at the join.
///
/// Each column has one block per element width (1, 4 or 8 bytes), mapped on first use as
/// zeroed pages that cost memory only once written; chunks that read a column as different
/// kinds of one width (integers here, floats there) write disjoint windows of the same block.
final class CSVColumnRegions: Sendable {
    /// The rows of one chunk in every column.
    struct Window: Sendable {
        var start: Int
        var capacity: Int
        var expected: Int
    }

    let windows: [Window]
    private let totalRows: Int
    private let blocks = Mutex<[Int: BufferStorage]>([:])

    /// Windows for `chunks` in file order.
    init(chunks: [CSVChunker.Chunk]) {
        var start = 0
        var windows: [Window] = []
        for chunk in chunks {
            let capacity = chunk.expectedRows + chunk.expectedRows / 4 + 64
            windows.append(Window(start: start, capacity: capacity, expected: chunk.expectedRows))
            start += capacity
        }
        self.windows = windows
        totalRows = start
    }

    private func block(column: Int, width: Int) -> BufferStorage {
        blocks.withLock { blocks in
            if let block = blocks[column &* 16 &+ width] { return block }
            let block = BufferStorage.zeroedPages(byteCount: max(1, totalRows) * width)
            blocks[column &* 16 &+ width] = block
            return block
        }
    }

    /// A builder that fills chunk `chunk`'s window of `column`. The pages of the window's
    /// expected rows are mapped in one call (`MADV_POPULATE_WRITE`, Linux 5.14) rather than one
    /// page fault per 4 KiB as the values arrive; where that is not supported the faults simply
    /// happen as before.
    func builder<T: BitwiseCopyable>(column: Int, chunk: Int, of type: T.Type) -> BufferBuilder<T> {
        let width = MemoryLayout<T>.stride
        let window = windows[chunk]
        let block = block(column: column, width: width)
        #if os(Linux)
        let page = CSVInput.pageSize
        let first = (window.start * width + page - 1) / page * page
        let last = min(block.byteCount, (window.start + window.expected) * width) / page * page
        if last > first { _ = madvise(UnsafeMutableRawPointer(mutating: block.baseAddress + first), last - first, 23) }
        #endif
        return BufferBuilder(window: block, byteOffset: window.start * width, capacity: window.capacity)
    }

    /// Gives the pages of chunk `chunk`'s window of `column` in the block of `width` back (its
    /// values are no longer needed; reads would see zeros).
    func release(column: Int, chunk: Int, width: Int) {
        #if os(Linux)
        guard let block = blocks.withLock({ $0[column &* 16 &+ width] }) else { return }
        let window = windows[chunk], page = CSVInput.pageSize
        let first = (window.start * width + page - 1) / page * page
        let last = min(block.byteCount, (window.start + window.capacity) * width) / page * page
        if last > first { _ = madvise(UnsafeMutableRawPointer(mutating: block.baseAddress + first), last - first, MADV_DONTNEED) }
        #endif
    }

    /// `rows` zeros in chunk `chunk`'s window of `column`, when that column has a block of `T`'s
    /// width (a chunk that saw only missing values in a column never writes its window there).
    func zeros<T: BitwiseCopyable>(column: Int, chunk: Int, rows: Int, of type: T.Type) -> Buffer<T>? {
        let width = MemoryLayout<T>.stride
        let window = windows[chunk]
        guard rows <= window.capacity, let block = blocks.withLock({ $0[column &* 16 &+ width] }) else { return nil }
        return Buffer(storage: block, start: (block.baseAddress + window.start * width).assumingMemoryBound(to: T.self), count: rows)
    }

    /// True when the non-empty `parts` all lie in `column`'s block of their element width, in
    /// order and without overlap (as the chunks' parts do): then they may be changed in place
    /// and ``compact(_:column:)`` joins them.
    func holdsInOrder<T: BitwiseCopyable>(_ parts: [Buffer<T>], column: Int) -> Bool {
        guard let block = blocks.withLock({ $0[column &* 16 &+ MemoryLayout<T>.stride] }) else { return false }
        var previousEnd: UnsafeRawPointer?
        for part in parts where part.count > 0 {
            guard part.storage === block, let start = part.rawBytes.baseAddress else { return false }
            if let previousEnd, start < previousEnd { return false }
            previousEnd = start + part.rawBytes.count
        }
        return previousEnd != nil
    }

    /// Joins the parts of one column that lie in order in one of this read's blocks by moving
    /// each part down to follow the one before it (no part is overwritten before it moves,
    /// since every part starts at or after the end of the joined rows before it), and gives
    /// the pages after the joined rows back. `nil` when the parts are not laid out that way
    /// (a part in memory of its own); the caller then copies.
    ///
    /// The parts must be the only users of their windows: the chunk parts of one column at its
    /// join, which are dropped afterwards.
    func compact<T: BitwiseCopyable>(_ parts: [Buffer<T>], column: Int) -> Buffer<T>? {
        guard holdsInOrder(parts, column: column) else { return nil }
        let present = parts.filter { $0.count > 0 }.compactMap { part in part.withUnsafeBufferPointer { $0.baseAddress.map { (part, $0) } } }
        guard let (first, target) = present.first.map({ ($0.0, UnsafeMutablePointer(mutating: $0.1)) }) else { return nil }
        let storage = first.storage
        var rows = 0
        for (part, start) in present {
            if start != target + rows { (target + rows).update(from: start, count: part.count) }
            rows += part.count
        }
        #if os(Linux)
        let page = CSVInput.pageSize
        let used = UnsafeRawPointer(target + rows) - storage.baseAddress
        let from = (used + page - 1) / page * page
        if from < storage.byteCount { _ = madvise(UnsafeMutableRawPointer(mutating: storage.baseAddress + from), storage.byteCount - from, MADV_DONTNEED) }
        #endif
        return Buffer(storage: storage, start: UnsafePointer(target), count: rows)
    }
}
