#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits the data rows of a CSV file into chunks that can be parsed independently, by
/// speculation: each chunk starts right after the first line feed at or after an equal share
/// of the bytes, as if no quoted field held a line feed there. Nothing reads the file ahead of
/// the parse. ``CSVReader`` checks every guess after the parse: chunk `i + 1` started at a row
/// start when chunk `i`, itself started at one, ended exactly there (a parse only stops after a
/// whole row); a chunk whose guess was wrong is parsed again from where the chunk before it
/// ended. (The speculative split follows C. Ge et al., "Speculative Distributed CSV Data Parsing
/// for Big Data Analytics", SIGMOD 2019.)
enum CSVChunker {
    struct Chunk: Sendable, Equatable {
        var range: Range<Int>
        /// Physical line (1-based) of the chunk's first byte. Exact for the first chunk; for
        /// the others a placeholder until the chunks before them are parsed.
        var firstLine: Int
        /// Rows the chunk is expected to hold: its bytes times the line-feed density of the
        /// first MiB of data. Sizes the chunk's window of shared column memory.
        var expectedRows: Int
    }

    static func split(_ input: CSVInput, dataStart: Int, firstLine: Int, chunkCount: Int) -> [Chunk] {
        let end = input.count
        let size = end - dataStart
        let sampleEnd = min(end, dataStart + (1 << 20))
        let sampleFeeds = countLineFeeds(input.base, dataStart..<sampleEnd)
        let density = Double(sampleFeeds + 1) / Double(max(1, sampleEnd - dataStart))
        func expected(_ range: Range<Int>) -> Int { Int((Double(range.count) * density).rounded(.up)) + 1 }
        guard chunkCount > 1, size > 0 else {
            return [Chunk(range: dataStart..<end, firstLine: firstLine, expectedRows: expected(dataStart..<end))]
        }
        var starts = [dataStart]
        for piece in 1..<chunkCount {
            let bound = dataStart + Int((Double(size) * Double(piece) / Double(chunkCount)).rounded(.down))
            let from = max(bound, starts[starts.count - 1])
            guard from < end, let feed = memchr(input.base + from, Int32(ASCII.newline), end - from) else { break }
            let start = input.base.distance(to: feed.assumingMemoryBound(to: UInt8.self)) + 1
            if start < end && start > starts[starts.count - 1] { starts.append(start) }
        }
        return starts.indices.map { i in
            let range = starts[i]..<(i + 1 < starts.count ? starts[i + 1] : end)
            return Chunk(range: range, firstLine: firstLine, expectedRows: expected(range))
        }
    }

    /// Counts LF bytes in `range`, 32 bytes at a time: a lane comparison gives -1 per match
    /// (the mask's bit pattern), subtracted into per-lane counters that are summed every 127
    /// steps before they could overflow.
    static func countLineFeeds(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) -> Int {
        var feeds = 0
        var i = range.lowerBound
        let raw = UnsafeRawPointer(base)
        let feed = SIMD32<UInt8>(repeating: ASCII.newline)
        while i + 32 <= range.upperBound {
            var lanes = SIMD32<Int8>.zero
            var steps = 0
            while steps < 127 && i + 32 <= range.upperBound {
                lanes &-= unsafeBitCast(raw.loadUnaligned(fromByteOffset: i, as: SIMD32<UInt8>.self) .== feed, to: SIMD32<Int8>.self)
                i += 32
                steps += 1
            }
            feeds += Int(SIMD32<Int16>(truncatingIfNeeded: lanes).wrappedSum())
        }
        while i < range.upperBound {
            if base[i] == ASCII.newline { feeds += 1 }
            i += 1
        }
        return feeds
    }
}

/// Fixed slots for results of parallel tasks. Rule that makes it safe: each slot is written by
/// exactly one task and read only after all tasks have finished (the parallel call returned).
final class ParallelSlots<Element>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Element>
    let count: Int

    init(count: Int, initial: Element) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: initial, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    subscript(index: Int) -> Element {
        get { slots[index] }
        set { slots[index] = newValue }
    }
}
