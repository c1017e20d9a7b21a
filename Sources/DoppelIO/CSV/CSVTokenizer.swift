/// Field boundaries of a block of rows, column-major, one word per field.
///
/// Field `(row, column)` is described by `ends[column * rowCapacity + row]`: the offset of its
/// terminator (delimiter, line end or end of data) in the low 62 bits and its kind in the top two.
/// It starts one byte after the previous field's terminator, or at `rowStarts[row]` for the first
/// column. Kinds:
/// - ``plain``: an unquoted field;
/// - ``quoted``: `"text"` without inner quotes (the text lies between the quotes);
/// - ``escaped``: anything else with quotes; the raw bytes need ``CSVTokenizer/unescape``.
///
/// Column-major order lets each per-column parse loop read memory sequentially.
final class FieldBlock {
    static let plain = 0
    static let quoted = 1
    static let escaped = 2
    static let kindShift = 62
    static let positionMask = (1 << 62) - 1

    let columnCount: Int
    let rowCapacity: Int
    let ends: UnsafeMutablePointer<Int>
    let rowStarts: UnsafeMutablePointer<Int>
    /// Physical (1-based) line on which each row starts.
    let rowLines: UnsafeMutablePointer<Int>
    var rowCount = 0

    init(columnCount: Int, rowCapacity: Int) {
        self.columnCount = columnCount
        self.rowCapacity = rowCapacity
        ends = .allocate(capacity: columnCount * rowCapacity)
        rowStarts = .allocate(capacity: rowCapacity)
        rowLines = .allocate(capacity: rowCapacity)
    }

    deinit {
        ends.deallocate()
        rowStarts.deallocate()
        rowLines.deallocate()
    }
}

/// Reads fields of a ``FieldBlock`` (pointers copied into a value so that hot loops keep them
/// in registers).
struct FieldReader {
    let base: UnsafePointer<UInt8>
    let ends: UnsafeMutablePointer<Int>
    let rowStarts: UnsafeMutablePointer<Int>
    let rowCapacity: Int
    let na: NATokenMatcher
    let scratch: ScratchBuffer

    init(block: FieldBlock, base: UnsafePointer<UInt8>, na: NATokenMatcher, scratch: ScratchBuffer) {
        self.base = base
        ends = block.ends
        rowStarts = block.rowStarts
        rowCapacity = block.rowCapacity
        self.na = na
        self.scratch = scratch
    }

    /// The text of field `(row, column)` and whether it is a missing value (an unquoted empty
    /// field or NA token; quoted fields are never missing).
    @inline(__always)
    func field(_ column: Int, _ row: Int) -> (bytes: UnsafeBufferPointer<UInt8>, missing: Bool) {
        let word = ends[column &* rowCapacity &+ row]
        let end = word & FieldBlock.positionMask
        let start = column == 0 ? rowStarts[row] : (ends[(column &- 1) &* rowCapacity &+ row] & FieldBlock.positionMask) &+ 1
        switch word >> FieldBlock.kindShift {
        case FieldBlock.plain:
            let bytes = UnsafeBufferPointer(start: base + start, count: end &- start)
            return (bytes, end == start || na.matches(bytes))
        case FieldBlock.quoted:
            return (UnsafeBufferPointer(start: base + start + 1, count: end &- start &- 2), false)
        default:
            return (CSVTokenizer.unescape(UnsafeBufferPointer(start: base + start, count: end &- start), into: scratch), false)
        }
    }
}

/// What went wrong while splitting rows into fields.
enum TokenizerFailure: Error {
    /// A row with a different number of fields than the header.
    case ragged(line: Int, found: Int)
    /// End of file inside a quoted field opened on `line`.
    case unterminatedQuote(line: Int)
}

/// Splits CSV bytes into fields (RFC 4180).
///
/// Quoting follows one rule everywhere: every `"` toggles "inside quotes", and inside quotes
/// `""` stands for one literal quote. Delimiters and line ends count only outside quotes. This is
/// what makes the parallel split exact: whether a byte lies inside quotes depends only on the
/// parity of the quotes before it (see ``CSVChunker``). A row ends at LF or CRLF (a lone CR is
/// data); line numbers count every LF, also inside quotes.
struct CSVTokenizer {
    let base: UnsafePointer<UInt8>
    /// End of the data (exclusive).
    let end: Int
    let delimiter: UInt8
    let columnCount: Int
    /// With several columns an empty line carries no row; with one column it is a missing value.
    var skipBlankLines: Bool { columnCount > 1 }

    /// Tokenizes rows starting at `position` (a row start) into `block` until the block is full,
    /// about `byteBudget` bytes are consumed, or the next row would start at or after `stop`.
    /// On failure, the rows before the bad one are in `block`; `position` and `line` stay at the
    /// bad row.
    func tokenize(into block: FieldBlock, position: inout Int, line: inout Int, stop: Int, byteBudget: Int) -> TokenizerFailure? {
        block.rowCount = 0
        let budgetEnd = position + byteBudget
        let quote = ASCII.quote, newline = ASCII.newline, cr = ASCII.carriageReturn
        let delimiter = self.delimiter, base = self.base, end = self.end
        let ends = block.ends
        while position < stop && block.rowCount < block.rowCapacity && (block.rowCount == 0 || position < budgetEnd) {
            var p = position
            if skipBlankLines {
                if base[p] == newline { position = p + 1; line += 1; continue }
                if base[p] == cr && p + 1 < end && base[p + 1] == newline { position = p + 2; line += 1; continue }
            }
            let rowLine = line
            var currentLine = line
            let row = block.rowCount, rowCapacity = block.rowCapacity
            block.rowStarts[row] = p
            var field = 0
            while true {
                let start = p
                var kind = FieldBlock.plain
                if p < end && base[p] == quote {
                    // Fast path: "text" with no quote inside, followed by a terminator.
                    var q = p + 1
                    var lines = 0
                    while q < end && base[q] != quote {
                        if base[q] == newline { lines += 1 }
                        q += 1
                    }
                    if q < end && isTerminator(q + 1) {
                        kind = FieldBlock.quoted
                        currentLine += lines
                        p = q + 1
                    } else {
                        switch scanGeneral(from: p, line: &currentLine) {
                        case .success(let e): p = e
                        case .failure(let failure): return failure
                        }
                        kind = FieldBlock.escaped
                    }
                } else {
                    p = endOfUnquoted(from: p)
                    if p < end && base[p] == quote {
                        switch scanGeneral(from: start, line: &currentLine) {
                        case .success(let e): p = e
                        case .failure(let failure): return failure
                        }
                        kind = FieldBlock.escaped
                    }
                }
                if field < columnCount { ends[field &* rowCapacity &+ row] = p | kind &<< FieldBlock.kindShift }
                field &+= 1
                if p >= end { break }
                let b = base[p]
                if b == delimiter { p &+= 1; continue }
                p &+= b == newline ? 1 : 2
                currentLine &+= 1
                break
            }
            guard field == columnCount else { return .ragged(line: rowLine, found: field) }
            block.rowLines[block.rowCount] = rowLine
            block.rowCount += 1
            position = p
            line = currentLine
        }
        return nil
    }

    /// The first delimiter, LF, CRLF or quote at or after `start` (or the end of data).
    ///
    /// Eight bytes at a time (SWAR): `(w - 0x23…) & ~w & 0x80…` flags bytes below 0x23 (LF,
    /// CR, quote and a few other controls), the same test on `w ^ delimiter…` flags the delimiter.
    /// Borrows can only flag bytes *above* a true hit, so the lowest flag is exact; a flagged byte
    /// that is not special (a space, a lone CR) is stepped over.
    @inline(__always)
    func endOfUnquoted(from start: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let below = ones &* 0x23, delimiters = ones &* UInt64(delimiter)
        let raw = UnsafeRawPointer(base)
        var p = start
        while true {
            if p + 8 <= end {
                let w = raw.loadUnaligned(fromByteOffset: p, as: UInt64.self)
                let x = w ^ delimiters
                let flags = ((w &- below) & ~w | (x &- ones) & ~x) & highs
                if flags == 0 { p &+= 8; continue }
                p &+= flags.trailingZeroBitCount &>> 3
            } else {
                while p < end && base[p] > ASCII.quote && base[p] != delimiter { p += 1 }
                if p >= end { return end }
            }
            let b = base[p]
            if b == delimiter || b == ASCII.newline || b == ASCII.quote { return p }
            if b == ASCII.carriageReturn && p + 1 < end && base[p + 1] == ASCII.newline { return p }
            p += 1
        }
    }

    /// True when a field may end right before `i`: end of data, delimiter, LF or CRLF.
    @inline(__always)
    func isTerminator(_ i: Int) -> Bool {
        if i >= end { return true }
        let b = base[i]
        return b == delimiter || b == ASCII.newline || (b == ASCII.carriageReturn && i + 1 < end && base[i + 1] == ASCII.newline)
    }

    /// Scans a field with the general quote rule; returns the end of the field (the index of its
    /// terminator or the end of data).
    func scanGeneral(from start: Int, line: inout Int) -> Result<Int, TokenizerFailure> {
        var p = start
        var insideQuotes = false
        var openedOn = line
        while p < end {
            let b = base[p]
            if insideQuotes {
                if b == ASCII.quote { insideQuotes = false } else if b == ASCII.newline { line += 1 }
                p += 1
                continue
            }
            if b == ASCII.quote { insideQuotes = true; openedOn = line; p += 1; continue }
            if b == delimiter || b == ASCII.newline { break }
            if b == ASCII.carriageReturn && p + 1 < end && base[p + 1] == ASCII.newline { break }
            p += 1
        }
        return insideQuotes ? .failure(.unterminatedQuote(line: openedOn)) : .success(p)
    }

    /// The text of an ``FieldBlock/escaped`` field: quotes toggle quoting and are dropped, and
    /// `""` inside quotes gives one `"`. Writes into `scratch` and returns the text.
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into scratch: ScratchBuffer) -> UnsafeBufferPointer<UInt8> {
        let out = scratch.pointer(capacity: raw.count)
        var n = 0
        var i = 0
        var insideQuotes = false
        while i < raw.count {
            let b = raw[i]
            if b == ASCII.quote {
                if insideQuotes && i + 1 < raw.count && raw[i + 1] == ASCII.quote {
                    out[n] = ASCII.quote
                    n += 1
                    i += 2
                    continue
                }
                insideQuotes.toggle()
            } else {
                out[n] = b
                n += 1
            }
            i += 1
        }
        return UnsafeBufferPointer(start: out, count: n)
    }
}

/// A reusable byte buffer for unescaped field text; valid until the next request.
final class ScratchBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    func pointer(capacity needed: Int) -> UnsafeMutablePointer<UInt8> {
        if needed > capacity {
            storage.deallocate()
            capacity = max(needed, capacity * 2)
            storage = .allocate(capacity: capacity)
        }
        return storage
    }
}
