
/// Splits the data rows of a CSV file into chunks that start exactly at row starts, so that
/// chunks can be parsed independently.
///
/// Two passes: (1) in parallel, count the quotes and line feeds of equal-sized pieces (32 bytes
/// at a time, SIMD; pages released as the pass goes, see ``CSVInput/withPieces(of:_:)``); (2) for each piece boundary, the parity of all quotes before it
/// says whether it lies inside a quoted field (see ``CSVTokenizer`` for why parity is exact), and
/// the chunk starts after the first line feed outside quotes from there. The line feed counts give
/// each chunk's first physical line number and an upper bound of its rows.
enum CSVChunker {
    struct Chunk: Sendable, Equatable {
        var range: Range<Int>
        /// Physical line (1-based) of the chunk's first byte.
        var firstLine: Int
        /// Line feeds inside the chunk (an upper bound for its rows).
        var lineFeeds: Int
    }

    static func split(_ input: CSVInput, dataStart: Int, firstLine: Int, chunkCount: Int, parallelism: IOParallelism) -> [Chunk] {
        let end = input.count
        let size = end - dataStart
        guard chunkCount > 1, size > 0 else {
            var feeds = 0
            input.withPieces(of: dataStart..<end) { pointer, range in feeds += countQuotesAndLineFeeds(pointer, range).lineFeeds }
            return [Chunk(range: dataStart..<end, firstLine: firstLine, lineFeeds: feeds)]
        }
        let bounds = (0...chunkCount).map { dataStart + Int((Double(size) * Double($0) / Double(chunkCount)).rounded(.down)) }
        let counts = parallelism.map(chunkCount) { piece in
            var total = (quotes: 0, lineFeeds: 0)
            input.withPieces(of: bounds[piece]..<bounds[piece + 1]) { pointer, range in
                let counted = countQuotesAndLineFeeds(pointer, range)
                total.quotes += counted.quotes
                total.lineFeeds += counted.lineFeeds
            }
            return total
        }
        var starts = [dataStart]
        var lines = [firstLine]
        var quotesBefore = 0, feedsBefore = 0
        for piece in 1..<chunkCount {
            quotesBefore += counts[piece - 1].quotes
            feedsBefore += counts[piece - 1].lineFeeds
            var p = bounds[piece]
            var inside = quotesBefore & 1 == 1
            var feeds = 0
            let b = input.base
            while p < end {
                let byte = b[p]
                p += 1
                if byte == ASCII.quote { inside.toggle() } else if byte == ASCII.newline {
                    feeds += 1
                    if !inside { break }
                }
            }
            if p > starts[starts.count - 1] {
                starts.append(p)
                lines.append(firstLine + feedsBefore + feeds)
            }
        }
        let totalFeeds = feedsBefore + counts[chunkCount - 1].lineFeeds
        var chunks: [Chunk] = []
        for i in starts.indices {
            let upper = i + 1 < starts.count ? starts[i + 1] : end
            let nextLine = i + 1 < starts.count ? lines[i + 1] : firstLine + totalFeeds
            if upper > starts[i] { chunks.append(Chunk(range: starts[i]..<upper, firstLine: lines[i], lineFeeds: nextLine - lines[i])) }
        }
        return chunks.isEmpty ? [Chunk(range: dataStart..<end, firstLine: firstLine, lineFeeds: totalFeeds)] : chunks
    }

    /// Counts `"` and LF bytes in `range`, 32 bytes at a time: a lane comparison gives -1 per
    /// match (the mask's bit pattern), subtracted into per-lane counters that are summed every
    /// 127 steps before they could overflow.
    static func countQuotesAndLineFeeds(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) -> (quotes: Int, lineFeeds: Int) {
        var quotes = 0, feeds = 0
        var i = range.lowerBound
        let raw = UnsafeRawPointer(base)
        let quote = SIMD32<UInt8>(repeating: ASCII.quote), feed = SIMD32<UInt8>(repeating: ASCII.newline)
        while i + 32 <= range.upperBound {
            var quoteLanes = SIMD32<Int8>.zero, feedLanes = SIMD32<Int8>.zero
            var steps = 0
            while steps < 127 && i + 32 <= range.upperBound {
                let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD32<UInt8>.self)
                quoteLanes &-= unsafeBitCast(v .== quote, to: SIMD32<Int8>.self)
                feedLanes &-= unsafeBitCast(v .== feed, to: SIMD32<Int8>.self)
                i += 32
                steps += 1
            }
            quotes += Int(SIMD32<Int16>(truncatingIfNeeded: quoteLanes).wrappedSum())
            feeds += Int(SIMD32<Int16>(truncatingIfNeeded: feedLanes).wrappedSum())
        }
        while i < range.upperBound {
            if base[i] == ASCII.quote { quotes += 1 } else if base[i] == ASCII.newline { feeds += 1 }
            i += 1
        }
        return (quotes, feeds)
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
