#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DoppelParallel
import DoppelTable
import DoppelFiles

/// Reads CSV files (RFC 4180) into typed, columnar ``Table``s.
///
/// Plain files are memory-mapped, `.csv.gz` files are inflated into memory. The data rows are
/// split into chunks at guessed row starts (``CSVChunker``; the guesses are checked after the
/// parse and a wrong one is parsed again), chunks are parsed on all cores
/// (``CSVChunkParser``: block-wise column loops that infer and widen each column's kind, and a
/// row-major fast path for simple rows once the kinds are known), each column's kind is the join
/// of the chunks' kinds (``InferredKind``), string columns that a chunk parsed as something else
/// are read again as text, and the parts are joined in file order. Fixed-width values go straight
/// into windows of one block per column (``CSVColumnRegions``), so their parts join in place.
/// The result does not depend on the number of threads.
///
/// String columns are dictionary-encoded while a chunk sees few distinct values; the joined
/// column stays a dictionary while it has at most `max(1000, rows / 2)` entries. (A chunk that
/// sees more than half of its first 16 Ki+ rows distinct switches to plain storage, and then the
/// whole column is plain: the values never depend on the chunking, the storage can in rare,
/// borderline cases.)
public enum CSVReader {
    /// Reads the CSV file at `path`. Errors are ``DataFileError``s naming file, line and column.
    public static func read(path: String, options: CSVReadOptions = .init()) throws -> Table {
        let delimiter = options.delimiter
        guard delimiter != ASCII.quote, delimiter != ASCII.newline, delimiter != ASCII.carriageReturn else {
            throw DataFileError(file: path, message: "the delimiter cannot be a quote, CR or LF")
        }
        let input = try CSVInput(path: path)
        let header = try CSVHeader.read(input, delimiter: delimiter, path: path)
        for name in options.columnTypes.keys where !header.names.contains(name) {
            throw DataFileError(file: path, column: name, message: "a type is given for a column the file does not have")
        }
        var context = CSVParseContext(
            input: input, path: path, names: header.names,
            forcedKinds: header.names.map { options.columnTypes[$0].map(InferredKind.init) },
            delimiter: delimiter, naTokens: NATokenMatcher(options.naTokens))
        // The fast path parses numbers before it looks for missing-value tokens, which is only
        // the same as the general path when no token could read as a value.
        context.blockRows = max(1, options.blockRows)
        context.fastRows = options.fastRows && !options.naTokens.contains { token in
            guard let first = token.utf8.first else { return false }
            return first &- 48 < 10 || "+-.tfTF".utf8.contains(first)
        }

        let parallelism = IOParallelism(threads: options.threads)
        let threads = parallelism.workers
        let dataBytes = input.count - header.dataStart
        let chunkCount = threads == 1 ? 1 : max(1, min(2 * threads, dataBytes / max(1, options.minimumChunkBytes)))
        let chunks = CSVChunker.split(input, dataStart: header.dataStart, firstLine: header.dataLine, chunkCount: chunkCount)

        // Phase 1: typed parse of every chunk, then the check of the speculative chunk starts.
        let regions = CSVColumnRegions(chunks: chunks)
        var parsers = chunks.enumerated().map { CSVChunkParser(context: context, chunk: $1, index: $0, regions: regions) }
        let outcomes = ParallelSlots<ChunkOutcome>(count: chunks.count, initial: ChunkOutcome())
        let firstParsers = parsers
        parallelism.forEach(chunks.count) { i in outcomes[i] = firstParsers[i].parse() }
        try confirmChunkStarts(&parsers, outcomes, firstLine: header.dataLine)

        let kinds = columnKinds(outcomes, forced: context.forcedKinds)
        // Phase 2: string columns whose text some chunk did not keep are read again there.
        let texts = try rereadStrings(parsers, outcomes, kinds: kinds, parallelism: parallelism)
        let columns = joinColumns(outcomes, texts: texts, kinds: kinds, regions: regions, parallelism: parallelism)
        return try Table(schema: Schema(zip(header.names, kinds).map { Field($0, $1.dataType) }), columns: columns)
    }

    /// Walks the chunks in file order. Chunk 0 starts at a row start; when chunk `i` does, its
    /// parse is right, and chunk `i + 1` starts at a row start exactly when chunk `i` ended where
    /// it begins. Otherwise (a quoted field with a line feed at the guessed start) chunk `i + 1`
    /// is parsed again, on this thread, from where chunk `i` ended. On the way each chunk gets its
    /// first line (the line feeds of the chunks before it), which also moves the lines of its
    /// errors; the first error in file order is thrown.
    private static func confirmChunkStarts(_ parsers: inout [CSVChunkParser], _ outcomes: ParallelSlots<ChunkOutcome>,
                                           firstLine: Int) throws(DataFileError) {
        var line = firstLine
        for i in parsers.indices {
            let shift = line - parsers[i].chunk.firstLine
            parsers[i].chunk.firstLine = line
            if var failure = outcomes[i].failure {
                failure.line = failure.line.map { $0 + shift }
                throw failure
            }
            line += outcomes[i].lineFeeds
            let end = outcomes[i].end
            if i + 1 < parsers.count && end != parsers[i + 1].chunk.range.lowerBound {
                let next = parsers[i + 1]
                var chunk = next.chunk
                chunk.range = end..<max(end, chunk.range.upperBound)
                chunk.firstLine = line
                parsers[i + 1] = CSVChunkParser(context: next.context, chunk: chunk, index: i + 1, regions: next.regions)
                outcomes[i + 1] = parsers[i + 1].parse()
            }
        }
    }

    /// Each column's kind: forced, else the join of the chunks' kinds.
    private static func columnKinds(_ outcomes: ParallelSlots<ChunkOutcome>, forced: [InferredKind?]) -> [InferredKind] {
        forced.indices.map { c in
            if let kind = forced[c] { return kind }
            var kind = InferredKind.empty
            for i in 0..<outcomes.count {
                switch outcomes[i].parts[c] {
                case .values(_, let partKind): kind = InferredKind.join(kind, partKind)
                case .needsText: kind = .string
                case .allMissing: break
                }
            }
            return kind
        }
    }

    /// Reads again, per chunk, the text of the string columns that the chunk parsed as another
    /// kind (or abandoned). Result: per chunk, column index → string column part.
    private static func rereadStrings(_ parsers: [CSVChunkParser], _ outcomes: ParallelSlots<ChunkOutcome>, kinds: [InferredKind],
                                      parallelism: IOParallelism) throws -> [[Int: Column]] {
        let wanted: [[Int]] = (0..<outcomes.count).map { i in
            kinds.indices.filter { c in
                guard kinds[c] == .string else { return false }
                switch outcomes[i].parts[c] {
                case .needsText: return true
                case .values(_, let kind): return kind != .string
                case .allMissing: return false
                }
            }
        }
        guard wanted.contains(where: { !$0.isEmpty }) else { return Array(repeating: [:], count: outcomes.count) }
        let results = parallelism.map(outcomes.count) { i in
            wanted[i].isEmpty ? nil : parsers[i].readStrings(columns: wanted[i])
        }
        return try results.map { try $0?.get() ?? [:] }
    }

    /// Brings every part to its column's kind and joins the parts in file order, columns in
    /// parallel. The chunk outcomes are emptied on the way, so each column's parts are freed as
    /// soon as the column is joined.
    private static func joinColumns(_ outcomes: ParallelSlots<ChunkOutcome>, texts: [[Int: Column]], kinds: [InferredKind],
                                    regions: CSVColumnRegions, parallelism: IOParallelism) -> [Column] {
        let columnCount = kinds.count, chunkCount = outcomes.count
        // Transpose (chunk, column) → (column, chunk); moving references only.
        let parts = ParallelSlots<[ChunkOutcome.Part]>(count: columnCount, initial: [])
        let rowCounts = (0..<chunkCount).map { outcomes[$0].rowCount }
        for c in 0..<columnCount {
            parts[c] = (0..<chunkCount).map { i in texts[i][c].map { .values($0, .string) } ?? outcomes[i].parts[c] }
        }
        for i in 0..<chunkCount { outcomes[i] = ChunkOutcome() }
        // The costliest joins first (plain strings copy their bytes), so that the last task to
        // start is a short one.
        let cost = (0..<columnCount).map { c in parts[c].reduce(0) { total, part in
            guard case .values(let column, _) = part else { return total }
            if case .string(let strings) = column, case .plain(let array) = strings.storage { return total + array.bytes.count + 4 * array.count }
            return total + column.count * 4
        } }
        let order = (0..<columnCount).sorted { cost[$0] > cost[$1] }
        let joined = parallelism.map(columnCount) { k in
            let c = order[k]
            let kind = kinds[c]
            var columnParts: [Column?] = parts[c].map { part in
                if case .values(let column, let partKind) = part { return CSVColumnMerge.convert(column, from: partKind, to: kind) }
                return nil
            }
            parts[c] = []
            let sibling = columnParts.lazy.compactMap { $0 }.first
            for i in 0..<chunkCount where columnParts[i] == nil {
                columnParts[i] = CSVColumnMerge.allMissing(kind.dataType, rows: rowCounts[i], like: sibling, window: (regions, c, i))
            }
            let present = columnParts.compactMap { $0 }
            columnParts.removeAll()
            var column = present.isEmpty ? CSVColumnMerge.allMissing(kind.dataType, rows: 0, like: nil) : CSVColumnMerge.concatenate(present, regions: (regions, c))
            if case .string(let strings) = column { column = .string(CSVStringStorage.choose(strings)) }
            return column
        }
        var columns = joined
        for (k, c) in order.enumerated() { columns[c] = joined[k] }
        return columns
    }
}
