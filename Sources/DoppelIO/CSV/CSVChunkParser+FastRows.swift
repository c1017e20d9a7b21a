import DoppelFiles
/// Block-local values of the fast path, column-major (`column * rowCapacity + row`), kept until
/// the rows are committed.
final class FastRowStorage {
    let values: UnsafeMutablePointer<UInt64>
    let missing: UnsafeMutablePointer<UInt8>

    init(columnCount: Int, rowCapacity: Int) {
        values = .allocate(capacity: max(1, columnCount * rowCapacity))
        missing = .allocate(capacity: max(1, columnCount * rowCapacity))
    }

    deinit {
        values.deallocate()
        missing.deallocate()
    }
}

/// The row-major fast path: once every column has a kind, simple rows are split and parsed in
/// one pass. Numbers are parsed where they stand, and the digits themselves find the field's
/// end, so typed fields are read once instead of twice (tokenize, then parse).
///
/// It gives exactly what the block path gives: it uses the same parsers and the same missing
/// value rules, and it gives up on a row as soon as anything is not simple (a quote inside a
/// field, a value that would widen the kind, a wrong field count); that row and the rest of the
/// block then go through the general path, which also reports errors. Rows are committed only
/// when whole, so giving up mid-row leaves no trace. Fields of string columns are delimited
/// and looked up here and committed in bulk per block; fields of columns without a kind yet are
/// only delimited, for the block path's loops.
extension CSVChunkParser {
    /// `text` fields are only delimited here (for the block path's loops); `dictionaryText`
    /// and `plainText` fields of string columns are also looked up in the column's dictionary
    /// or located for a bulk copy, and committed by ``StringAccumulator/appendFastRows``.
    private enum FastKind { case int, float, bool, date, timestamp, text, dictionaryText, plainText }

    /// Parses simple rows from `position`; returns the committed row count (0 when the first
    /// row is not simple) or the failure of a committed string field.
    func parseFastRows(_ columns: [ColumnAccumulator], position: inout Int, line: inout Int) -> (rows: Int, failure: DataFileError?) {
        let n = context.columnCount
        let kinds: [FastKind] = columns.map { column in
            if column.abandoned { return .text }
            switch column.kind {
            case .int: return .int
            case .float: return .float
            case .bool: return .bool
            case .date: return .date
            case .timestamp: return .timestamp
            case .string: return column.strings.isDictionary ? .dictionaryText : .plainText
            case .empty: return .text
            }
        }
        let kindOf = UnsafeMutablePointer<FastKind>.allocate(capacity: n)
        defer { kindOf.deallocate() }
        for c in 0..<n { kindOf[c] = kinds[c] }
        // Field ends are needed only by string fields: those committed here, and those of the
        // block path's loops, which find a field's start from the end of the field before it.
        let allEnds = kinds.contains(.text)
        // Lookup views of the dictionary columns; no insertion happens until the commit.
        let probes = UnsafeMutablePointer<StringDictionaryBuilder.Probe?>.allocate(capacity: n)
        defer { probes.deallocate() }
        let dictionaryHoldsNA = UnsafeMutablePointer<Bool>.allocate(capacity: n)
        defer { dictionaryHoldsNA.deallocate() }
        for c in 0..<n {
            probes[c] = kinds[c] == .dictionaryText ? columns[c].strings.dictionaryProbe : nil
            // A quoted "NA" is a value, so a dictionary can hold a token's text.
            dictionaryHoldsNA[c] = probes[c].map { probe in self.na.tokens.contains { token in token.withUnsafeBufferPointer { probe.code(of: $0) >= 0 } } } ?? false
        }
        let tokenizer = context.tokenizer()
        let base = self.base, end = context.input.count, stop = chunk.range.upperBound
        let delimiter = context.delimiter, na = self.na
        let budgetEnd = position + CSVChunkParser.blockBytes
        let ends = block.ends, rowStarts = block.rowStarts, rowLines = block.rowLines, capacity = block.rowCapacity
        let storage = fastStorage
        let values = storage.values, missing = storage.missing
        let newline = ASCII.newline, cr = ASCII.carriageReturn, quote = ASCII.quote
        let raw = UnsafeRawPointer(base)

        /// True when a field ending right before `t` is properly terminated for its column.
        @inline(__always) func terminates(_ t: Int, last: Bool) -> Bool {
            if !last { return t < end && base[t] == delimiter }
            if t >= end { return true }
            return base[t] == newline || (base[t] == cr && t + 1 < end && base[t + 1] == newline)
        }
        /// The end of an unquoted field starting at `p`, if it has no quote and ends properly.
        @inline(__always) func plainEnd(_ p: Int, last: Bool) -> Int? {
            let t = tokenizer.endOfUnquoted(from: p)
            return terminates(t, last: last) ? t : nil
        }

        /// A number field the digit scan did not take (empty, an NA token, an exponent, more
        /// digits than the exact path allows): delimited first, then missing or parsed by the
        /// general parser. Its end, or `nil` when the row is not simple. (No NA token reads as a
        /// number, see ``CSVReader``, so the order of the two checks does not matter.)
        @inline(__always) func generalNumber(at p: Int, last: Bool, slot: Int, parse: (UnsafeBufferPointer<UInt8>) -> UInt64?) -> Int? {
            guard let e = plainEnd(p, last: last) else { return nil }
            let field = UnsafeBufferPointer(start: base + p, count: e - p)
            if e == p || na.matches(field) {
                values[slot] = 0
                missing[slot] = 1
            } else if let bits = parse(field) {
                values[slot] = bits
                missing[slot] = 0
            } else {
                return nil
            }
            return e
        }

        // The common fixed-width forms of dates (`YYYY-MM-DD`), timestamps (`YYYY-MM-DD HH:MM:SS`)
        // and booleans are parsed where they stand, without looking for the field's end first.
        // A span that crosses the field's end fails the grammar check (a delimiter, LF or quote
        // is never part of these forms), so it only falls back to the general way; that holds
        // only when the delimiter itself cannot be part of the forms.
        let fixedWidthForms = !(delimiter &- 48 < 10 || (delimiter | 0x20) &- 97 < 26 || "-:. +".utf8.contains(delimiter))
        /// The value of a fixed-width form at `p` and its width, when it is one and is followed
        /// by the field's proper end. Written out per kind so that each stays inline.
        @inline(__always) func fixedWidth(_ kind: FastKind, at p: Int, last: Bool) -> (bits: UInt64, width: Int)? {
            guard fixedWidthForms else { return nil }
            switch kind {
            case .date:
                guard p &+ 10 <= end, terminates(p &+ 10, last: last), let d = CSVValueParsers.parseDate(UnsafeBufferPointer(start: base + p, count: 10)) else { return nil }
                return (UInt64(bitPattern: Int64(d)), 10)
            case .timestamp:
                guard p &+ 19 <= end, terminates(p &+ 19, last: last), let micros = CSVValueParsers.parseTimestamp19(base + p) else { return nil }
                return (UInt64(bitPattern: micros), 19)
            default:
                guard p < end else { return nil }
                let first = base[p] | 0x20
                guard first == UInt8(ascii: "t") || first == UInt8(ascii: "f") else { return nil }
                let width = first == UInt8(ascii: "t") ? 4 : 5
                guard p &+ width <= end, terminates(p &+ width, last: last),
                      let b = CSVValueParsers.parseBool(UnsafeBufferPointer(start: base + p, count: width)) else { return nil }
                return (UInt64(b), width)
            }
        }

        var row = 0
        rows: while row < capacity && position < stop && (row == 0 || position < budgetEnd) {
            var p = position
            if n > 1 {
                if base[p] == newline { position = p + 1; line += 1; continue }
                if base[p] == cr && p + 1 < end && base[p + 1] == newline { position = p + 2; line += 1; continue }
            }
            var currentLine = line
            rowStarts[row] = p
            for c in 0..<n {
                let last = c == n - 1
                let slot = c &* capacity &+ row
                var t = p
                var fieldKind = FieldBlock.plain
                let kind = kindOf[c]
                switch kind {
                case .int:
                    var (negative, q) = CSVValueParsers.sign(base, at: p, end: end)
                    let digitsStart = q
                    var v: UInt64 = 0
                    // Eight bytes at a time where eight bytes remain; digit by digit after a
                    // run of eight digits and near the end of the data.
                    var counted = false
                    if q &+ 8 <= end {
                        let (n, value) = SWARDigits.leading(raw + q)
                        v = value
                        q &+= n
                        counted = n < 8
                    }
                    while !counted && q < end {
                        let d = base[q] &- 48
                        if d >= 10 { break }
                        v = v &* 10 &+ UInt64(d)
                        q &+= 1
                    }
                    let digits = q - digitsStart
                    if digits > 0 && digits <= 18 && terminates(q, last: last) {
                        values[slot] = UInt64(bitPattern: negative ? -Int64(v) : Int64(v))
                        missing[slot] = 0
                        t = q
                    } else {
                        guard let e = generalNumber(at: p, last: last, slot: slot, parse: { CSVValueParsers.parseInt64($0).map { UInt64(bitPattern: $0) } }) else { break rows }
                        t = e
                    }
                case .float:
                    var (negative, q) = CSVValueParsers.sign(base, at: p, end: end)
                    var m: UInt64 = 0
                    var digits = 0, dot = -1
                    // `digits.digits` eight bytes at a time (each part shorter than eight
                    // digits, eight bytes available); anything else digit by digit.
                    var counted = false
                    if q &+ 8 <= end {
                        let (n, whole) = SWARDigits.leading(raw + q)
                        if n < 8 {
                            var r = q &+ n
                            if base[r] != UInt8(ascii: ".") {
                                (m, digits, q, counted) = (whole, n, r, true)
                            } else if r &+ 9 <= end {
                                r &+= 1
                                let (f, fraction) = SWARDigits.leading(raw + r)
                                if f < 8 {
                                    (m, digits, dot, q, counted) = (whole &* SWARDigits.powersOfTen[f] &+ fraction, n &+ f, n, r &+ f, true)
                                }
                            }
                        }
                    }
                    if !counted { (m, digits, dot, q) = CSVValueParsers.scanDecimal(base, from: q, end: end) }
                    if digits > 0 && digits <= 15 && terminates(q, last: last) {
                        // Exactly the fast path of CSVValueParsers.parseDouble.
                        values[slot] = CSVValueParsers.exactDecimal(mantissa: m, digits: digits, dot: dot, negative: negative).bitPattern
                        missing[slot] = 0
                        t = q
                    } else {
                        guard let e = generalNumber(at: p, last: last, slot: slot, parse: { CSVValueParsers.parseDouble($0)?.bitPattern }) else { break rows }
                        t = e
                    }
                case .date, .timestamp, .bool:
                    if let (bits, width) = fixedWidth(kind, at: p, last: last) {
                        values[slot] = bits
                        missing[slot] = 0
                        t = p &+ width
                        break
                    }
                    guard let e = plainEnd(p, last: last) else { break rows }
                    let field = UnsafeBufferPointer(start: base + p, count: e - p)
                    if e == p || na.matches(field) {
                        values[slot] = 0
                        missing[slot] = 1
                    } else {
                        switch kind {
                        case .date:
                            guard let d = CSVValueParsers.parseDate(field) else { break rows }
                            values[slot] = UInt64(bitPattern: Int64(d))
                        case .timestamp:
                            guard let micros = CSVValueParsers.parseTimestamp(field, acceptDate: true) else { break rows }
                            values[slot] = UInt64(bitPattern: micros)
                        default:
                            guard let b = CSVValueParsers.parseBool(field) else { break rows }
                            values[slot] = UInt64(b)
                        }
                        missing[slot] = 0
                    }
                    t = e
                case .dictionaryText, .plainText, .text:
                    // Delimit the field: a quoted one (no quote inside) or a plain one.
                    var start = p, flag: UInt8 = 0
                    if p < end && base[p] == quote {
                        var q = p + 1, lines = 0
                        while q < end && base[q] != quote {
                            if base[q] == newline { lines &+= 1 }
                            q &+= 1
                        }
                        guard q < end, terminates(q + 1, last: last) else { break rows }
                        fieldKind = FieldBlock.quoted
                        currentLine &+= lines
                        t = q + 1
                        start = p + 1
                        flag = 2
                    } else {
                        guard let e = plainEnd(p, last: last) else { break rows }
                        t = e
                        if e == p { flag = 1 }
                    }
                    // `text` fields are left to the block path's loops.
                    guard kind != .text else { break }
                    if flag != 1 {
                        // A value found in a dictionary that holds no NA token is no NA token:
                        // the token check is needed only for the others.
                        let field = UnsafeBufferPointer(start: base + start, count: t - start - Int(flag >> 1))
                        if let probe = probes[c] {
                            let code = probe.code(of: field)
                            if code >= 0 && (flag == 2 || !dictionaryHoldsNA[c] || !na.matches(field)) {
                                values[slot] = UInt64(code)
                            } else if flag == 0 && na.matches(field) {
                                flag = 1
                            } else {
                                values[slot] = StringAccumulator.needsIntern | UInt64(start)
                            }
                        } else {
                            if flag == 0 && na.matches(field) { flag = 1 }
                            values[slot] = UInt64(start)
                        }
                    }
                    missing[slot] = flag
                }
                if allEnds || kind == .dictionaryText || kind == .plainText { ends[slot] = t | fieldKind &<< FieldBlock.kindShift }
                if !last {
                    p = t &+ 1
                } else if t < end {
                    p = t &+ (base[t] == newline ? 1 : 2)
                    currentLine &+= 1
                } else {
                    p = t
                }
            }
            rowLines[row] = line
            row &+= 1
            position = p
            line = currentLine
        }
        guard row > 0 else { return (0, nil) }

        // Commit: typed values in bulk, string fields through the block path's string loop.
        block.rowCount = row
        var failure: (row: Int, error: DataFileError)?
        /// Keeps the earliest row's failure (the first column's on a tie).
        func fail(row: Int, column c: Int, _ message: String) {
            if let earlier = failure, earlier.row <= row { return }
            failure = (row, DataFileError(file: context.path, line: rowLines[row], column: context.names[c], message: message))
        }
        for c in 0..<n {
            let column = columns[c]
            if kinds[c] == .dictionaryText || kinds[c] == .plainText {
                let offset = c * capacity
                column.validity.append(missingFlags: missing + offset, count: row)
                if let bad = column.strings.appendFastRows(base: base, inputEnd: end, values: values + offset, ends: ends + offset,
                                                           flags: missing + offset, rows: row) {
                    fail(row: bad, column: c, "invalid UTF-8 in field")
                }
                column.checkStringCardinality()
            } else if kinds[c] != .text {
                column.appendParsed(values + c * capacity, missing: missing + c * capacity, count: row)
            } else if !column.abandoned {
                do {
                    try parseColumn(c, into: column)
                } catch {
                    fail(row: error.row, column: c, error.message)
                }
                column.checkStringCardinality()
            }
        }
        return (row, failure?.error)
    }
}
