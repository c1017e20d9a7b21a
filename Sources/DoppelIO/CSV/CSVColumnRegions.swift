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
/// parts lie in order with gaps between them; ``compact(_:slot:column:)`` closes the gaps in
/// place, one move per part. A chunk with more rows than its window continues in memory of its
/// own and its column is then copied at the join.
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
    /// Where chunk `i`'s text bytes start in a column's byte block: a chunk's strings never
    /// hold more bytes than the chunk itself (plus the 16 bytes a bulk copy may write beyond).
    private let byteStarts: [Int]
    private let totalBytes: Int
    private let blocks = Mutex<[Int: BufferStorage]>([:])

    /// Blocks of a column: values of width 1, 4 or 8 (their width is the key), plain strings'
    /// offsets and bytes.
    private static let offsetsSlot = 12, bytesSlot = 13

    private static func key(_ column: Int, _ slot: Int) -> Int { column &* 16 &+ slot }

    /// Windows for `chunks` in file order.
    init(chunks: [CSVChunker.Chunk]) {
        var start = 0, byteStart = 0
        var windows: [Window] = [], byteStarts: [Int] = []
        for chunk in chunks {
            let capacity = chunk.expectedRows + chunk.expectedRows / 4 + 64
            windows.append(Window(start: start, capacity: capacity, expected: chunk.expectedRows))
            start += capacity
            byteStarts.append(byteStart)
            byteStart += chunk.range.count + 64
        }
        self.windows = windows
        totalRows = start
        self.byteStarts = byteStarts
        totalBytes = byteStart
    }

    private func block(column: Int, width: Int) -> BufferStorage { block(column: column, slot: width, byteCount: max(1, totalRows) * width) }

    private func block(column: Int, slot: Int, byteCount: Int) -> BufferStorage {
        blocks.withLock { blocks in
            if let block = blocks[Self.key(column, slot)] { return block }
            let block = BufferStorage.zeroedPages(byteCount: byteCount)
            blocks[Self.key(column, slot)] = block
            return block
        }
    }

    /// A string builder that fills chunk `chunk`'s windows of `column`'s offset and byte blocks
    /// (pages are mapped as they are written: a column only becomes plain after its first rows).
    /// Chunk `i`'s offsets start at row `start_i + i` (one more slot per chunk than rows).
    func stringBuilder(column: Int, chunk: Int) -> StringArrayBuilder {
        let window = windows[chunk]
        let offsets = block(column: column, slot: Self.offsetsSlot, byteCount: (totalRows + windows.count) * 4)
        let bytes = block(column: column, slot: Self.bytesSlot, byteCount: max(1, totalBytes))
        let byteCapacity = (chunk + 1 < byteStarts.count ? byteStarts[chunk + 1] : totalBytes) - byteStarts[chunk]
        return StringArrayBuilder(offsets: BufferBuilder(window: offsets, byteOffset: (window.start + chunk) * 4, capacity: window.capacity + 1),
                                  bytes: BufferBuilder(window: bytes, byteOffset: byteStarts[chunk], capacity: byteCapacity))
    }

    /// Joins plain string parts whose offsets and bytes lie in order in `column`'s blocks, in
    /// place: the bytes are moved down like ``compact(_:slot:column:)`` moves values, each part's
    /// offsets are shifted by the bytes before it where they lie, and then joined the same way
    /// (without the leading zero of every part but the first). `nil` when the parts are not laid
    /// out that way.
    func joinPlain(_ parts: [StringArray], column: Int) -> StringArray? {
        guard parts.allSatisfy({ $0.offsets[0] == 0 }),
              holdsInOrder(parts.map(\.offsets), slot: Self.offsetsSlot, column: column),
              parts.allSatisfy({ $0.bytes.count == 0 }) || holdsInOrder(parts.map(\.bytes), slot: Self.bytesSlot, column: column) else { return nil }
        // Each part's bytes end at its last offset (the window may hold 16 bytes of a bulk
        // copy's spill beyond it).
        let byteParts = parts.map { $0.bytes.slice(0..<Int($0.offsets[$0.count])) }
        // Checked before anything moves, so that `nil` leaves the parts as they were.
        guard byteParts.reduce(0, { $0 + $1.count }) <= Int(Int32.max) else { return nil }
        var before = 0
        var offsetParts: [Buffer<Int32>] = []
        for (i, part) in parts.enumerated() {
            let used = Int(part.offsets[part.count])
            if let start = part.offsets.rawBytes.baseAddress, before > 0 && part.count > 0 {
                let offsets = UnsafeMutableRawPointer(mutating: start).assumingMemoryBound(to: Int32.self)
                let shift = Int32(before)
                for k in 1...part.count { offsets[k] &+= shift }
            }
            offsetParts.append(i == 0 ? part.offsets : part.offsets.slice(1..<(part.count + 1)))
            before += used
        }
        guard let offsets = compact(offsetParts, slot: Self.offsetsSlot, column: column) else { return nil }
        let bytes = byteParts.allSatisfy({ $0.count == 0 }) ? Buffer<UInt8>() : compact(byteParts, slot: Self.bytesSlot, column: column)
        guard let bytes else { return nil }
        return StringArray(offsets: offsets, bytes: bytes)
    }

    /// A builder that fills chunk `chunk`'s window of `column`. The pages of the window's
    /// expected rows are mapped in one call (`MADV_POPULATE_WRITE`, Linux 5.14) rather than one
    /// page fault per 4 KiB as the values arrive; where that is not supported the faults simply
    /// happen as before.
    func builder<T: BitwiseCopyable>(column: Int, chunk: Int, of type: T.Type) -> BufferBuilder<T> {
        let width = MemoryLayout<T>.stride
        let window = windows[chunk]
        let block = block(column: column, width: width)
        block.advise(wholePagesOf: (window.start * width)..<((window.start + window.expected) * width), PageAdvice.populateWrite)
        return BufferBuilder(window: block, byteOffset: window.start * width, capacity: window.capacity)
    }

    /// Gives the pages of chunk `chunk`'s window of `column` in the block of `width` back (its
    /// values are no longer needed; reads would see zeros).
    func release(column: Int, chunk: Int, width: Int) {
        guard let block = blocks.withLock({ $0[Self.key(column, width)] }) else { return }
        let window = windows[chunk]
        block.advise(wholePagesOf: (window.start * width)..<((window.start + window.capacity) * width), PageAdvice.dontNeed)
    }

    /// `rows` zeros in chunk `chunk`'s window of `column`, when that column has a block of `T`'s
    /// width (a chunk that saw only missing values in a column never writes its window there).
    func zeros<T: BitwiseCopyable>(column: Int, chunk: Int, rows: Int, of type: T.Type) -> Buffer<T>? {
        let width = MemoryLayout<T>.stride
        let window = windows[chunk]
        guard rows <= window.capacity, let block = blocks.withLock({ $0[Self.key(column, width)] }) else { return nil }
        return Buffer(storage: block, start: (block.baseAddress + window.start * width).assumingMemoryBound(to: T.self), count: rows)
    }

    /// True when the non-empty `parts` all lie in `column`'s block of their element width, in
    /// order and without overlap (as the chunks' parts do): then they may be changed in place
    /// and ``compact(_:slot:column:)`` joins them.
    func holdsInOrder<T: BitwiseCopyable>(_ parts: [Buffer<T>], slot: Int? = nil, column: Int) -> Bool {
        guard let block = blocks.withLock({ $0[Self.key(column, slot ?? MemoryLayout<T>.stride)] }) else { return false }
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
    func compact<T: BitwiseCopyable>(_ parts: [Buffer<T>], slot: Int? = nil, column: Int) -> Buffer<T>? {
        guard holdsInOrder(parts, slot: slot, column: column) else { return nil }
        let present = parts.filter { $0.count > 0 }.compactMap { part in part.withUnsafeBufferPointer { $0.baseAddress.map { (part, $0) } } }
        guard let (first, target) = present.first.map({ ($0.0, UnsafeMutablePointer(mutating: $0.1)) }) else { return nil }
        let storage = first.storage
        var rows = 0
        for (part, start) in present {
            if start != target + rows { (target + rows).update(from: start, count: part.count) }
            rows += part.count
        }
        storage.advise(wholePagesOf: (UnsafeRawPointer(target + rows) - storage.baseAddress)..<storage.byteCount, PageAdvice.dontNeed)
        return Buffer(storage: storage, start: UnsafePointer(target), count: rows)
    }
}
