import DoppelTable
import DoppelFiles

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
        try write(schema: table.schema, to: path, options: options, nextChunk: chunkSource([table]))
    }

    /// Writes the tables that `nextChunk` returns (until it returns `nil`), in order, as one CSV
    /// file with the header of `schema`. Only one chunk needs to be in memory at a time, so a
    /// producer can stream tables of any total size. Every chunk must have `schema`'s columns.
    public static func write(schema: Schema, to path: String, options: CSVWriteOptions = .init(), nextChunk: () throws -> Table?) throws {
        let delimiter = options.delimiter
        guard delimiter != ASCII.quote, delimiter != ASCII.newline, delimiter != ASCII.carriageReturn else {
            throw DataFileError(file: path, message: "the delimiter cannot be a quote, CR or LF")
        }
        let quoting = CSVFieldQuoting(delimiter: delimiter)
        let compress = path.hasSuffix(".gz")
        try AtomicFile.write(to: path) { sink in
            var compressor = compress ? try GzipCompressor(path: path) : nil
            var out = CSVOutputBuffer()
            for (i, name) in schema.names.enumerated() {
                if i > 0 { out.append(delimiter) }
                var text = name
                text.withUTF8 { quoting.append($0, to: &out) }
            }
            out.append(ASCII.newline)
            try emit(&out, through: &compressor, to: &sink)
            while let table = try nextChunk() {
                try checkChunk(table, matches: schema, path: path)
                var quotedDictionaries: [StringArray] = []
                let writers = table.columns.map { CSVColumnFormatter($0, quoting: quoting, keepAlive: &quotedDictionaries) }
                // The formatters read the columns through raw pointers: keep them alive until done.
                try withExtendedLifetime((table, quotedDictionaries)) {
                    var row = 0
                    while row < table.rowCount {
                        row = appendRows(from: row, of: table.rowCount, writers, quoting: quoting, delimiter: delimiter, to: &out)
                        try emit(&out, through: &compressor, to: &sink)
                    }
                }
            }
            if compressor != nil {
                try compressor!.finish { sink.write($0) }
            }
            try sink.checkError()
        }
    }

    /// Formats rows from `start` until about 1 MiB of text is buffered; returns the next row.
    private static func appendRows(from start: Int, of rowCount: Int, _ formatters: [CSVColumnFormatter], quoting: CSVFieldQuoting,
                                   delimiter: UInt8, to out: inout CSVOutputBuffer) -> Int {
        var row = start
        while row < rowCount && out.count < 1 << 20 {
            for i in 0..<formatters.count {
                if i > 0 { out.append(delimiter) }
                formatters[i].append(row: row, quoting: quoting, to: &out)
            }
            out.append(ASCII.newline)
            row += 1
        }
        return row
    }

    /// Hands the buffered text to the file, compressed when writing gzip, and empties the buffer.
    private static func emit(_ out: inout CSVOutputBuffer, through compressor: inout GzipCompressor?, to sink: inout FileSink) throws {
        if compressor != nil {
            try compressor!.compress(out.bytes) { sink.write($0) }
        } else {
            sink.write(out.bytes)
        }
        out.removeAll()
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

/// Formats the cells of one column from raw pointers into the column's buffers: no reference
/// counting per cell. Valid while the table being written is alive.
struct CSVColumnFormatter {
    private enum Source {
        case int64(UnsafePointer<Int64>)
        case int8(UnsafePointer<Int8>)
        case int16(UnsafePointer<Int16>)
        case int32(UnsafePointer<Int32>)
        case float64(UnsafePointer<Double>)
        case bool(UnsafePointer<UInt8>)
        case date(UnsafePointer<Int32>)
        case timestamp(UnsafePointer<Int64>)
        case plain(offsets: UnsafePointer<Int32>, bytes: UnsafePointer<UInt8>)
        /// Codes into the dictionary entries, each already quoted as needed.
        case dictionary(codes: UnsafePointer<Int32>, offsets: UnsafePointer<Int32>, bytes: UnsafePointer<UInt8>)
    }

    private let source: Source
    private let validityBytes: UnsafePointer<UInt8>?
    private let validityOffset: Int

    /// A formatter for `column`; a pre-quoted dictionary goes to `keepAlive`, which must outlive
    /// the formatter (the formatter holds no references, so copying it costs no reference counting).
    init(_ column: Column, quoting: CSVFieldQuoting, keepAlive: inout [StringArray]) {
        if let validity = column.validity {
            validityBytes = CSVColumnFormatter.pointer(validity.bytes)
            validityOffset = validity.bitOffset
        } else {
            validityBytes = nil
            validityOffset = 0
        }
        switch column {
        case .int64(let c): source = .int64(CSVColumnFormatter.pointer(c.values))
        case .int8(let c): source = .int8(CSVColumnFormatter.pointer(c.values))
        case .int16(let c): source = .int16(CSVColumnFormatter.pointer(c.values))
        case .int32(let c): source = .int32(CSVColumnFormatter.pointer(c.values))
        case .float64(let c): source = .float64(CSVColumnFormatter.pointer(c.values))
        case .bool(let c): source = .bool(CSVColumnFormatter.pointer(c.values))
        case .date(let c): source = .date(CSVColumnFormatter.pointer(c.values))
        case .timestamp(let c): source = .timestamp(CSVColumnFormatter.pointer(c.values))
        case .string(let strings):
            switch strings.storage {
            case .plain(let array):
                source = .plain(offsets: CSVColumnFormatter.pointer(array.offsets), bytes: CSVColumnFormatter.pointer(array.bytes))
            case .dictionary(let codes, let dictionary):
                var out = CSVOutputBuffer(capacity: dictionary.byteCount + 16)
                var builder = StringArrayBuilder(capacity: dictionary.count)
                for i in 0..<dictionary.count {
                    out.removeAll()
                    quoting.append(dictionary.utf8(i), to: &out)
                    builder.append(utf8: UnsafeBufferPointer(start: out.base, count: out.count))
                }
                let quoted = builder.finish()
                keepAlive.append(quoted)
                source = .dictionary(codes: CSVColumnFormatter.pointer(codes), offsets: CSVColumnFormatter.pointer(quoted.offsets), bytes: CSVColumnFormatter.pointer(quoted.bytes))
            }
        }
    }

    /// The first element of `buffer` (a dangling but never read pointer when empty).
    private static func pointer<T>(_ buffer: Buffer<T>) -> UnsafePointer<T> {
        (buffer.rawBytes.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!).assumingMemoryBound(to: T.self)
    }

    @inline(__always)
    func append(row: Int, quoting: borrowing CSVFieldQuoting, to out: inout CSVOutputBuffer) {
        if let validityBytes {
            let bit = validityOffset &+ row
            guard validityBytes[bit &>> 3] & (1 << UInt8(bit & 7)) != 0 else { return }
        }
        switch source {
        case .int64(let values): out.append(values[row])
        case .int8(let values): out.append(Int64(values[row]))
        case .int16(let values): out.append(Int64(values[row]))
        case .int32(let values): out.append(Int64(values[row]))
        case .float64(let values): out.append(values[row])
        case .bool(let values): if values[row] != 0 { out.append("true") } else { out.append("false") }
        case .date(let values): out.appendDate(days: Int(values[row]))
        case .timestamp(let values): out.appendTimestamp(micros: values[row])
        case .plain(let offsets, let bytes):
            let start = Int(offsets[row])
            quoting.append(UnsafeBufferPointer(start: bytes + start, count: Int(offsets[row &+ 1]) &- start), to: &out)
        case .dictionary(let codes, let offsets, let bytes):
            let code = Int(codes[row])
            let start = Int(offsets[code])
            out.append(UnsafeBufferPointer(start: bytes + start, count: Int(offsets[code &+ 1]) &- start))
        }
    }
}
