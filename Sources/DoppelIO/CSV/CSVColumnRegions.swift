#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import DoppelTable

/// Shared memory that the chunk parsers of one read write their fixed-width values into, so
/// that joining the chunks' parts of a column needs no copy.
///
/// Chunk `i` owns rows `start_i ..< start_i + capacity_i` of every column. Its capacity is its
/// line-feed count, plus one for the last chunk: an upper bound of its rows, because every row
/// but the file's last ends with a line feed and every chunk but the last ends right after one.
/// `start_i` is the sum of the capacities before it. When every chunk fills its window exactly
/// (no blank lines, no line feeds inside quoted fields) the parts of a column lie back to back
/// and join as one view (``Buffer/contiguousJoin(_:)``); otherwise the join copies them.
///
/// Each column has one block per element width (1, 4 or 8 bytes), mapped on first use as
/// zeroed pages that cost memory only once written; chunks that read a column as different
/// kinds of one width (integers here, floats there) write disjoint windows of the same block.
final class CSVColumnRegions: Sendable {
    /// The rows of one chunk in every column.
    struct Window: Sendable {
        var start: Int
        var capacity: Int
    }

    let windows: [Window]
    private let totalRows: Int
    private let blocks = Mutex<[Int: BufferStorage]>([:])

    /// Windows for `chunks` in file order.
    init(chunks: [CSVChunker.Chunk]) {
        var start = 0
        var windows: [Window] = []
        for (i, chunk) in chunks.enumerated() {
            let capacity = chunk.lineFeeds + (i == chunks.count - 1 ? 1 : 0)
            windows.append(Window(start: start, capacity: capacity))
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

    /// A builder that fills chunk `chunk`'s window of `column`. The window's pages are mapped
    /// in one call (`MADV_POPULATE_WRITE`, Linux 5.14) rather than one page fault per 4 KiB as
    /// the values arrive; where that is not supported the faults simply happen as before.
    func builder<T: BitwiseCopyable>(column: Int, chunk: Int, of type: T.Type) -> BufferBuilder<T> {
        let width = MemoryLayout<T>.stride
        let window = windows[chunk]
        let block = block(column: column, width: width)
        #if os(Linux)
        let page = CSVInput.pageSize
        let first = (window.start * width + page - 1) / page * page
        let last = min(block.byteCount, (window.start + window.capacity) * width) / page * page
        if last > first { _ = madvise(UnsafeMutableRawPointer(mutating: block.baseAddress + first), last - first, 23) }
        #endif
        return BufferBuilder(window: block, byteOffset: window.start * width, capacity: window.capacity)
    }

    /// `rows` zeros in chunk `chunk`'s window of `column`, when that column has a block of `T`'s
    /// width (a chunk that saw only missing values in a column never writes its window there).
    func zeros<T: BitwiseCopyable>(column: Int, chunk: Int, rows: Int, of type: T.Type) -> Buffer<T>? {
        let width = MemoryLayout<T>.stride
        let window = windows[chunk]
        guard rows <= window.capacity, let block = blocks.withLock({ $0[column &* 16 &+ width] }) else { return nil }
        return Buffer(storage: block, start: (block.baseAddress + window.start * width).assumingMemoryBound(to: T.self), count: rows)
    }
}
