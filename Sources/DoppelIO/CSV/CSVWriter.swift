import DoppelTable

/// Writes ``Table``s as CSV (RFC 4180) so that ``CSVReader`` reads back the same types and values.
///
/// A missing value is an empty field; the empty string is written `""`, and a string equal to a
/// default missing-value token is quoted, so both survive the round trip. Fields are quoted only
/// when needed (delimiter, quote, CR or LF inside, or leading/trailing space). Floats use the
/// shortest text that reads back exactly; dates are `YYYY-MM-DD`, timestamps
/// `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC, booleans `true`/`false`. The file is written atomically;
/// a path ending in `.gz` is gzip-compressed. Lines end with LF.
///
/// Known limits of the round trip: infinities read back as text (the reader does not take `inf`
/// for a number), NaN reads back as missing, and a string column whose every value looks like a
/// number, date or boolean reads back as that type unless ``CSVReadOptions/columnTypes`` says
/// `string`.
public enum CSVWriter {
    public static func write(_ table: Table, to path: String, options: CSVWriteOptions = .init()) throws {
        let delimiter = options.delimiter
        guard delimiter != ASCII.quote, delimiter != ASCII.newline, delimiter != ASCII.carriageReturn else {
            throw DataFileError(file: path, message: "the delimiter cannot be a quote, CR or LF")
        }
        let quoting = CSVFieldQuoting(delimiter: delimiter)
        let writers = table.columns.map { CSVColumnFormatter($0, quoting: quoting) }
        let compress = path.hasSuffix(".gz")
        try AtomicFile.write(to: path) { sink in
            var compressor = compress ? try GzipCompressor(path: path) : nil
            var out = CSVOutputBuffer()
            func flush(_ sink: inout FileSink) throws {
                if compressor != nil {
                    try compressor!.compress(out.bytes) { sink.write($0) }
                } else {
                    sink.write(out.bytes)
                }
                out.removeAll()
            }
            for (i, name) in table.schema.names.enumerated() {
                if i > 0 { out.append(delimiter) }
                var text = name
                text.withUTF8 { quoting.append($0, to: &out) }
            }
            out.append(ASCII.newline)
            for row in 0..<table.rowCount {
                for (i, writer) in writers.enumerated() {
                    if i > 0 { out.append(delimiter) }
                    writer.append(row: row, to: &out)
                }
                out.append(ASCII.newline)
                if out.count >= 1 << 20 { try flush(&sink) }
            }
            try flush(&sink)
            if compressor != nil {
                try compressor!.finish { sink.write($0) }
            }
            try sink.checkError()
        }
    }
}

/// Decides whether a text field needs quotes and writes it.
struct CSVFieldQuoting {
    let delimiter: UInt8
    /// Strings equal to these are quoted so that they do not read back as missing.
    let naTokens = NATokenMatcher(CSVReadOptions().naTokens)

    func needsQuotes(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = text.first, let last = text.last else { return true }
        if first == ASCII.space || last == ASCII.space { return true }
        for b in text where b <= ASCII.quote || b == delimiter {
            if b == delimiter || b == ASCII.quote || b == ASCII.newline || b == ASCII.carriageReturn { return true }
        }
        return naTokens.matches(text)
    }

    func append(_ text: UnsafeBufferPointer<UInt8>, to out: inout CSVOutputBuffer) {
        guard needsQuotes(text) else { out.append(text); return }
        out.append(ASCII.quote)
        var runStart = 0
        for (i, b) in text.enumerated() where b == ASCII.quote {
            out.append(UnsafeBufferPointer(rebasing: text[runStart...i]))
            out.append(ASCII.quote)
            runStart = i + 1
        }
        out.append(UnsafeBufferPointer(rebasing: text[runStart...]))
        out.append(ASCII.quote)
    }
}

/// Formats the cells of one column.
struct CSVColumnFormatter {
    private let column: Column
    private let quoting: CSVFieldQuoting
    /// For dictionary strings: each dictionary entry already quoted as needed.
    private let encodedDictionary: StringArray?

    init(_ column: Column, quoting: CSVFieldQuoting) {
        self.column = column
        self.quoting = quoting
        if case .string(let strings) = column, case .dictionary(_, let dictionary) = strings.storage {
            var out = CSVOutputBuffer(capacity: dictionary.byteCount + 16)
            var encoded = StringArrayBuilder(capacity: dictionary.count)
            for i in 0..<dictionary.count {
                out.removeAll()
                quoting.append(dictionary.utf8(i), to: &out)
                encoded.append(utf8: UnsafeBufferPointer(start: out.base, count: out.count))
            }
            encodedDictionary = encoded.finish()
        } else {
            encodedDictionary = nil
        }
    }

    @inline(__always)
    func append(row: Int, to out: inout CSVOutputBuffer) {
        guard column.isValid(row) else { return }
        switch column {
        case .int64(let c): out.append(c.values[row])
        case .float64(let c): out.append(c.values[row])
        case .bool(let c): if c.values[row] != 0 { out.append("true") } else { out.append("false") }
        case .date(let c): out.appendDate(days: Int(c.values[row]))
        case .timestamp(let c): out.appendTimestamp(micros: c.values[row])
        case .string(let c):
            switch c.storage {
            case .dictionary(let codes, _):
                if let encodedDictionary { out.append(encodedDictionary.utf8(Int(codes[row]))) }
            case .plain(let strings):
                quoting.append(strings.utf8(row), to: &out)
            }
        }
    }
}
