#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Doppel

/// How much finding field boundaries alone costs, per field, next to the whole typed read: the
/// evidence for or against a structural index in front of the CSV parser (docs/io.md). One
/// thread, input mapped and resident before timing, best of `--rounds`.
///
/// 1. *byte loop*: every byte compared with the delimiter and LF, positions written out;
/// 2. *16-byte compare*: the same with Swift's portable `SIMD16<UInt8>` comparisons, 64 bytes
///    per step, the lane masks gathered into a 64-bit mask (``laneBits(_:)``);
/// 3. *quote-aware index*: step 2 plus quotes (the inside-quotes mask is the prefix XOR of the
///    quote mask, carried across words, as in simdjson: Langdale & Lemire, "Parsing gigabytes of
///    JSON per second", VLDB Journal 2019), each field's kind (plain, or holding a quote) and
///    the check that every row has exactly the header's field count, written column-major into
///    1,024-row blocks like the reader's field blocks.
enum CSVIndexProbe {
    static func run(_ arguments: [String]) throws {
        let rounds = max(1, Int(BenchCommandLine.value("rounds", in: arguments) ?? "") ?? 3)
        let path = try CSVBenchmarkData.file(arguments, defaultMB: 200)
        let file = try MappedFile(path: path)
        let size = file.count
        guard size > 64, let raw = file.bytes.baseAddress else { throw BenchError("\(path) is too small to probe") }
        // Map every page before timing (`MADV_POPULATE_READ`, Linux 5.14), so that all steps
        // read resident memory.
        _ = madvise(UnsafeMutableRawPointer(mutating: raw), size, 22)
        let input = Input(raw: raw, size: size)
        let (dataStart, columns) = input.header()
        print("file: \(path) (\(BenchCommandLine.megabytes(size)), \(columns) columns), one thread, best of \(rounds)")

        let positions = UnsafeMutablePointer<Int32>.allocate(capacity: size / 2 + 64)
        defer { positions.deallocate() }
        let blockRows = 1024
        let ends = UnsafeMutablePointer<Int>.allocate(capacity: columns * blockRows)
        defer { ends.deallocate() }

        var fields = 0
        func time(_ name: String, _ body: () -> Int) {
            var best = Double.infinity
            for _ in 0..<rounds {
                let start = BenchCommandLine.now()
                fields = body()
                best = min(best, BenchCommandLine.now() - start)
            }
            print("  \(name): \(BenchCommandLine.format(best, decimals: 3)) s, \(BenchCommandLine.format(best / Double(max(fields, 1)) * 1e9, decimals: 2)) ns per field, \(BenchCommandLine.format(Double(size) / 1e6 / best, decimals: 0)) MB/s")
        }
        time("byte loop") { input.separatorsByBytes(from: dataStart, into: positions) }
        time("16-byte compare") { input.separatorsByLanes(from: dataStart, into: positions) }
        time("quote-aware index") { input.index(from: dataStart, columns: columns, ends: ends, blockRows: blockRows) }

        var options = CSVReadOptions()
        options.threads = 1
        var best = Double.infinity
        var cells = 0
        for _ in 0..<rounds {
            let start = BenchCommandLine.now()
            let table = try CSVReader.read(path: path, options: options)
            best = min(best, BenchCommandLine.now() - start)
            cells = table.rowCount * table.columnCount
        }
        print("  CSVReader (typed columns): \(BenchCommandLine.format(best, decimals: 3)) s, \(BenchCommandLine.format(best / Double(max(cells, 1)) * 1e9, decimals: 2)) ns per field")
    }

    /// 16 lane results as bits 0…15: lanes become bytes 0 or 1, and each 8-byte half is
    /// gathered into one byte by a multiplication (`0x0102040810204080` moves byte `i`'s low
    /// bit to bit `56 + i` without collisions). Swift has no portable spelling of `pmovmskb`.
    @inline(__always)
    static func laneBits(_ mask: SIMDMask<SIMD16<Int8>>) -> UInt64 {
        let lanes = unsafeBitCast(SIMD16<UInt8>(repeating: 0).replacing(with: 1, where: mask), to: SIMD2<UInt64>.self)
        return (lanes[0] &* 0x0102_0408_1020_4080) >> 56 | ((lanes[1] &* 0x0102_0408_1020_4080) >> 56) << 8
    }

    struct Input {
        let raw: UnsafeRawPointer
        let size: Int
        var bytes: UnsafePointer<UInt8> { raw.assumingMemoryBound(to: UInt8.self) }

        /// Where the data starts and the header's field count (the header holds no quotes).
        func header() -> (start: Int, columns: Int) {
            var i = 0, columns = 1
            while i < size && bytes[i] != 10 {
                if bytes[i] == 44 { columns += 1 }
                i += 1
            }
            return (i + 1, columns)
        }

        @inline(never)
        func separatorsByBytes(from start: Int, into out: UnsafeMutablePointer<Int32>) -> Int {
            var k = 0, i = start
            let bytes = self.bytes
            while i < size {
                let b = bytes[i]
                if b == 44 || b == 10 {
                    out[k] = Int32(truncatingIfNeeded: i)
                    k &+= 1
                }
                i &+= 1
            }
            return k
        }

        /// Delimiter, LF and quote masks of the 64 bytes at `offset`.
        @inline(__always)
        func masks(at offset: Int) -> (separators: UInt64, lineFeeds: UInt64, quotes: UInt64) {
            let comma = SIMD16<UInt8>(repeating: 44), lf = SIMD16<UInt8>(repeating: 10), quote = SIMD16<UInt8>(repeating: 34)
            var separators: UInt64 = 0, lineFeeds: UInt64 = 0, quotes: UInt64 = 0
            for j in 0..<4 {
                let lanes = raw.loadUnaligned(fromByteOffset: offset &+ 16 &* j, as: SIMD16<UInt8>.self)
                let isLF = lanes .== lf
                let shift = UInt64(16 * j)
                separators |= CSVIndexProbe.laneBits((lanes .== comma) .| isLF) << shift
                lineFeeds |= CSVIndexProbe.laneBits(isLF) << shift
                quotes |= CSVIndexProbe.laneBits(lanes .== quote) << shift
            }
            return (separators, lineFeeds, quotes)
        }

        @inline(never)
        func separatorsByLanes(from start: Int, into out: UnsafeMutablePointer<Int32>) -> Int {
            var k = 0, w = start
            while w &+ 64 <= size {
                var bits = masks(at: w).separators
                while bits != 0 {
                    out[k] = Int32(truncatingIfNeeded: w &+ bits.trailingZeroBitCount)
                    k &+= 1
                    bits &= bits &- 1
                }
                w &+= 64
            }
            return k
        }

        /// Field ends of whole rows, block by block; returns the number of fields indexed (it
        /// stops at the first row without the header's field count, or near the end of data).
        @inline(never)
        func index(from start: Int, columns: Int, ends: UnsafeMutablePointer<Int>, blockRows: Int) -> Int {
            var fields = 0, row = 0, column = 0
            var fieldStart = start, w = start
            var inside: UInt64 = 0
            var lastQuote = -1
            let bytes = self.bytes
            while w &+ 64 <= size {
                let (allSeparators, lineFeeds, quotes) = masks(at: w)
                var separators = allSeparators
                if quotes != 0 || inside != 0 {
                    var x = quotes
                    x ^= x << 1; x ^= x << 2; x ^= x << 4; x ^= x << 8; x ^= x << 16; x ^= x << 32
                    x ^= inside
                    inside = UInt64(bitPattern: Int64(bitPattern: x) >> 63)
                    separators &= ~x
                }
                while separators != 0 {
                    let bit = separators.trailingZeroBitCount
                    separators &= separators &- 1
                    let position = w &+ bit
                    if quotes != 0 {
                        let before = quotes & ((1 << UInt64(bit)) &- 1)
                        if before != 0 { lastQuote = w &+ 63 &- before.leadingZeroBitCount }
                    }
                    let kind = lastQuote < fieldStart ? 0 : bytes[fieldStart] == 34 ? 1 : 2
                    let isLineFeed = (lineFeeds >> UInt64(bit)) & 1 != 0
                    if isLineFeed != (column == columns &- 1) { return fields }
                    ends[column &* blockRows &+ row] = position | kind << 62
                    fieldStart = position &+ 1
                    fields &+= 1
                    if isLineFeed {
                        column = 0
                        row &+= 1
                        if row == blockRows { row = 0 }
                    } else {
                        column &+= 1
                    }
                }
                if quotes != 0 { lastQuote = w &+ 63 &- quotes.leadingZeroBitCount }
                w &+= 64
            }
            return fields - column
        }
    }
}
