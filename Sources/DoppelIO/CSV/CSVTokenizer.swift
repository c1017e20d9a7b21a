/// Field boundaries of a block of rows, row-major (`columnCount` fields per row).
///
/// A field is described by a byte range and a kind:
/// - ``plain``: an unquoted field, the range is its text;
/// - ``quoted``: `"text"` without inner quotes, the range excludes the quotes;
/// - ``escaped``: anything else with quotes; the range is raw and needs ``CSVTokenizer/unescape``.
final class FieldBlock {
    static let plain: UInt8 = 0
    static let quoted: UInt8 = 1
    static let escaped: UInt8 = 2

    let columnCount: Int
    let rowCapacity: Int
    let starts: UnsafeMutablePointer<Int>
    let ends: UnsafeMutablePointer<Int>
    let kinds: UnsafeMutablePointer<UInt8>
    /// Physical (1-based) line on which each row starts.
    let rowLines: UnsafeMutablePointer<Int>
    var rowCount = 0

    init(columnCount: Int, rowCapacity: Int) {
        self.columnCount = columnCount
        self.rowCapacity = rowCapacity
        let fields = columnCount * rowCapacity
        starts = .allocate(capacity: fields)
        ends = .allocate(capacity: fields)
        kinds = .allocate(capacity: fields)
        rowLines = .allocate(capacity: rowCapacity)
    }

    deinit {
        starts.deallocate()
        ends.deallocate()
        kinds.deallocate()
        rowLines.deallocate()
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
        while position < stop && block.rowCount < block.rowCapacity && (block.rowCount == 0 || position < budgetEnd) {
            var p = position
            if skipBlankLines {
                if base[p] == newline { position = p + 1; line += 1; continue }
                if base[p] == cr && p + 1 < end && base[p + 1] == newline { position = p + 2; line += 1; continue }
            }
            let rowLine = line
            var currentLine = line
            let fieldBase = block.rowCount * columnCount
            var field = 0
            while true {
                var start = p
                var fieldEnd = p
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
                        start = p + 1
                        fieldEnd = q
                        kind = FieldBlock.quoted
                        currentLine += lines
                        p = q + 1
                    } else {
                        switch scanGeneral(from: p, line: &currentLine) {
                        case .success(let e): fieldEnd = e; p = e
                        case .failure(let failure): return failure
                        }
                        kind = FieldBlock.escaped
                    }
                } else {
                    while p < end {
                        let b = base[p]
                        if b > quote && b != delimiter { p += 1; continue }
                        if b == delimiter || b == newline || b == quote { break }
                        if b == cr && p + 1 < end && base[p + 1] == newline { break }
                        p += 1
                    }
                    if p < end && base[p] == quote {
                        switch scanGeneral(from: start, line: &currentLine) {
                        case .success(let e): p = e
                        case .failure(let failure): return failure
                        }
                        kind = FieldBlock.escaped
                    }
                    fieldEnd = p
                }
                if field < columnCount {
                    block.starts[fieldBase + field] = start
                    block.ends[fieldBase + field] = fieldEnd
                    block.kinds[fieldBase + field] = kind
                }
                field += 1
                if p >= end { break }
                let b = base[p]
                if b == delimiter { p += 1; continue }
                p += b == newline ? 1 : 2
                currentLine += 1
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
