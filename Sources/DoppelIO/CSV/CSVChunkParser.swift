import DoppelTable
import DoppelFiles

/// Read-only facts shared by all chunk parsers of one read.
struct CSVParseContext: @unchecked Sendable {
    let input: CSVInput
    let path: String
    let names: [String]
    /// Forced kind per column (from ``CSVReadOptions/columnTypes``), `nil` = infer.
    let forcedKinds: [InferredKind?]
    let delimiter: UInt8
    let naTokens: NATokenMatcher
    /// Use the row-major fast path for simple rows (tests turn it off to compare).
    var fastRows = true
    /// Rows per parse block.
    var blockRows = CSVChunkParser.blockRows

    var columnCount: Int { names.count }

    func tokenizer() -> CSVTokenizer {
        CSVTokenizer(base: input.base, end: input.count, delimiter: delimiter, columnCount: columnCount)
    }

    func error(_ failure: TokenizerFailure) -> DataFileError {
        switch failure {
        case .ragged(let line, let found):
            DataFileError(file: path, line: line, message: "expected \(columnCount) fields, found \(found)")
        case .unterminatedQuote(let line):
            DataFileError(file: path, line: line, message: "unterminated quoted field (the quote opens on this line)")
        }
    }
}

/// The parse of one chunk: per column either typed values, or nothing but missing values, or a
/// request to read the column's text again (it turned out to be a string column).
struct ChunkOutcome: Sendable {
    enum Part: Sendable {
        case values(Column, InferredKind)
        case allMissing
        case needsText
    }
    var rowCount = 0
    /// Where the parse stopped (after the chunk's last whole row) and the line feeds it
    /// passed, which is how the reader checks the chunk starts and finds their lines.
    var end = 0
    var lineFeeds = 0
    var parts: [Part] = []
    var failure: DataFileError?
}

/// A value that does not fit where it must (forced type, invalid UTF-8).
struct FieldFailure: Error {
    var row: Int
    var message: String
}

/// Parses the rows of one chunk, block by block: the tokenizer fills a ``FieldBlock``, then each
/// column's fields are parsed in a tight loop for the column's current kind.
///
/// Sendable because each parser is used by one task at a time (``CSVReader`` hands chunk `i` to
/// exactly one worker per phase); it only reads the shared input bytes.
final class CSVChunkParser: @unchecked Sendable {
    static let blockRows = 4096
    static let blockBytes = 1 << 20
    /// Parsed bytes of a mapped file are handed back to the kernel in steps of this size (each
    /// `madvise` costs TLB shootdowns on the other threads, so not after every block).
    static let releaseBytes = 16 << 20

    let context: CSVParseContext
    /// The chunk; its first line is corrected by the reader once the chunks before it are
    /// parsed (it only matters for errors of the text re-read).
    var chunk: CSVChunker.Chunk
    /// Position of the chunk in the file, and the shared column memory its values go to.
    let chunkIndex: Int
    let regions: CSVColumnRegions?
    let block: FieldBlock
    let scratch = ScratchBuffer()
    let base: UnsafePointer<UInt8>
    let na: NATokenMatcher
    /// Block-local values of the row-major fast path (see `CSVChunkParser+FastRows.swift`).
    lazy var fastStorage = FastRowStorage(columnCount: context.columnCount, rowCapacity: block.rowCapacity)

    init(context: CSVParseContext, chunk: CSVChunker.Chunk, index: Int = 0, regions: CSVColumnRegions? = nil) {
        self.context = context
        self.chunk = chunk
        chunkIndex = index
        self.regions = regions
        block = FieldBlock(columnCount: context.columnCount, rowCapacity: max(1, min(context.blockRows, (1 << 16) / max(1, context.columnCount))))
        base = context.input.base
        na = context.naTokens
    }

    // MARK: typed parse

    func parse() -> ChunkOutcome {
        let columnCount = context.columnCount
        let hint = chunk.expectedRows + 1
        let columns = (0..<columnCount).map { c in
            ColumnAccumulator(forced: context.forcedKinds[c], capacityHint: hint,
                              target: regions.map { ColumnAccumulator.Target(regions: $0, column: c, chunk: chunkIndex) })
        }
        let tokenizer = context.tokenizer()
        var position = chunk.range.lowerBound
        var line = chunk.firstLine
        var outcome = ChunkOutcome()
        var unreleased = position
        while position < chunk.range.upperBound {
            if context.fastRows && columns.allSatisfy({ $0.kind != .empty }) {
                let (rows, failure) = parseFastRows(columns, position: &position, line: &line)
                outcome.rowCount += rows
                if let failure {
                    outcome.failure = failure
                    return outcome
                }
                if rows > 0 {
                    if position - unreleased >= CSVChunkParser.releaseBytes {
                        context.input.release(unreleased..<position)
                        unreleased = position
                    }
                    continue
                }
            }
            let tokenizerFailure = tokenizer.tokenize(into: block, position: &position, line: &line, stop: chunk.range.upperBound, byteBudget: CSVChunkParser.blockBytes)
            var firstFailure: (row: Int, column: Int, message: String)?
            for c in 0..<columnCount where !columns[c].abandoned {
                do {
                    try parseColumn(c, into: columns[c])
                } catch {
                    // Keep the earliest row's failure (the first column's on a tie).
                    if let earlier = firstFailure, earlier.row <= error.row { continue }
                    firstFailure = (error.row, c, error.message)
                }
                if columns[c].kind == .string && !columns[c].abandoned { columns[c].checkStringCardinality() }
            }
            outcome.rowCount += block.rowCount
            if let f = firstFailure {
                outcome.failure = DataFileError(file: context.path, line: block.rowLines[f.row], column: context.names[f.column], message: f.message)
                return outcome
            }
            if let tokenizerFailure {
                outcome.failure = context.error(tokenizerFailure)
                return outcome
            }
            if position - unreleased >= CSVChunkParser.releaseBytes {
                context.input.release(unreleased..<position)
                unreleased = position
            }
        }
        context.input.release(unreleased..<position)
        outcome.parts = columns.map { column in
            if column.abandoned { return .needsText }
            if let values = column.finish() { return .values(values, column.kind) }
            return .allMissing
        }
        outcome.end = position
        outcome.lineFeeds = line - chunk.firstLine
        return outcome
    }

    private func reader() -> FieldReader {
        FieldReader(block: block, base: base, na: na, scratch: scratch)
    }

    /// Parses column `c` of the current block, widening the kind whenever a value needs it.
    func parseColumn(_ c: Int, into column: ColumnAccumulator) throws(FieldFailure) {
        var row = 0
        let rows = block.rowCount
        while row < rows && !column.abandoned {
            switch column.kind {
            case .empty: row = fillEmpty(c, column, from: row)
            case .int: row = fillFixed(c, &column.int64s, &column.validity, from: row, parse: CSVValueParsers.parseInt64)
            case .float: row = fillFixed(c, &column.doubles, &column.validity, from: row, parse: CSVValueParsers.parseDouble)
            case .bool: row = fillFixed(c, &column.bools, &column.validity, from: row, parse: CSVValueParsers.parseBool)
            case .date: row = fillFixed(c, &column.days, &column.validity, from: row, parse: CSVValueParsers.parseDate)
            case .timestamp:
                row = fillFixed(c, &column.int64s, &column.validity, from: row) { CSVValueParsers.parseTimestamp($0, acceptDate: true) }
            case .string: row = try fillString(c, column, from: row)
            }
            if row < rows { try changeKind(c, column, row: row) }
        }
    }

    /// The value at `row` did not parse as the column's kind: widen, or fail if forced.
    private func changeKind(_ c: Int, _ column: ColumnAccumulator, row: Int) throws(FieldFailure) {
        let value = reader().field(c, row).bytes
        let valueKind = InferredKind.classify(value)
        let widened = InferredKind.join(column.kind, valueKind)
        if column.isForced || widened == column.kind {
            if column.isForced {
                let text = String(decoding: value.prefix(60), as: UTF8.self)
                throw FieldFailure(row: row, message: "cannot read '\(text)' as \(column.kind.dataType)")
            }
            column.widen(to: .string)
            return
        }
        column.widen(to: widened)
    }

    private func fillEmpty(_ c: Int, _ column: ColumnAccumulator, from start: Int) -> Int {
        let reader = self.reader()
        var row = start
        while row < block.rowCount {
            if !reader.field(c, row).missing { return row }
            column.validity.append(false)
            row += 1
        }
        return row
    }

    /// Parses column `c` from `start` into a fixed-width buffer (zero in missing slots) until a
    /// value does not parse as the column's kind; returns that row (or the block's row count).
    /// One exclusive access to the accumulator's buffers for the whole loop.
    @inline(__always)
    private func fillFixed<T: BitwiseCopyable & Numeric>(_ c: Int, _ values: inout BufferBuilder<T>, _ bits: inout ValidityWriter, from start: Int,
                                                         parse: (UnsafeBufferPointer<UInt8>) -> T?) -> Int {
        let reader = self.reader()
        var row = start
        while row < block.rowCount {
            let (f, missing) = reader.field(c, row)
            if missing {
                values.append(.zero); bits.append(false)
            } else if let v = parse(f) {
                values.append(v); bits.append(true)
            } else {
                return row
            }
            row += 1
        }
        return row
    }

    private func fillString(_ c: Int, _ column: ColumnAccumulator, from start: Int) throws(FieldFailure) -> Int {
        var strings = StringAccumulator(capacity: 0), bits = ValidityWriter()
        swap(&strings, &column.strings); swap(&bits, &column.validity)
        defer { swap(&strings, &column.strings); swap(&bits, &column.validity) }
        let reader = self.reader()
        var row = start
        while row < block.rowCount {
            let (f, missing) = reader.field(c, row)
            if missing {
                strings.appendMissing(); bits.append(false)
            } else {
                guard strings.append(f) else { throw FieldFailure(row: row, message: "invalid UTF-8 in field") }
                bits.append(true)
            }
            row += 1
        }
        return row
    }

    // MARK: text re-read

    /// Reads the given columns of the chunk again as strings (after the typed parse found that
    /// they are string columns). The chunk already tokenized without error once.
    func readStrings(columns wanted: [Int]) -> Result<[Int: Column], DataFileError> {
        var accumulators = wanted.map { _ in (StringAccumulatorBox(capacity: chunk.expectedRows + 1)) }
        let tokenizer = context.tokenizer()
        var position = chunk.range.lowerBound
        var line = chunk.firstLine
        var unreleased = position
        while position < chunk.range.upperBound {
            if let failure = tokenizer.tokenize(into: block, position: &position, line: &line, stop: chunk.range.upperBound, byteBudget: CSVChunkParser.blockBytes) {
                return .failure(context.error(failure))
            }
            let reader = self.reader()
            for (k, c) in wanted.enumerated() {
                let box = accumulators[k]
                for row in 0..<block.rowCount {
                    let (f, missing) = reader.field(c, row)
                    if missing {
                        box.strings.appendMissing(); box.validity.append(false)
                    } else {
                        guard box.strings.append(f) else {
                            return .failure(DataFileError(file: context.path, line: block.rowLines[row], column: context.names[c], message: "invalid UTF-8 in field"))
                        }
                        box.validity.append(true)
                    }
                }
                box.strings.checkCardinality(validity: box.validity)
            }
            if position - unreleased >= CSVChunkParser.releaseBytes {
                context.input.release(unreleased..<position)
                unreleased = position
            }
        }
        context.input.release(unreleased..<position)
        var result: [Int: Column] = [:]
        for (k, c) in wanted.enumerated() {
            result[c] = accumulators[k].finish()
        }
        accumulators.removeAll()
        return .success(result)
    }
}

/// A string accumulator with its validity, on the heap so that it can sit in an array.
final class StringAccumulatorBox {
    var strings: StringAccumulator
    var validity = ValidityWriter()

    init(capacity: Int) { strings = StringAccumulator(capacity: capacity) }

    func finish() -> Column {
        var s = StringAccumulator(capacity: 0), bits = ValidityWriter()
        swap(&s, &strings); swap(&bits, &validity)
        return .string(StringColumn(storage: s.finish(), validity: bits.finish()))
    }
}
