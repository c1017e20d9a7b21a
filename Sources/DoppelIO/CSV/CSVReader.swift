#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import DoppelTable

/// Reads CSV files (RFC 4180) into typed, columnar ``Table``s.
///
/// Plain files are memory-mapped, `.csv.gz` files are inflated into memory. The data rows are
/// split into chunks at exact row starts (``CSVChunker``), chunks are parsed on all cores
/// (``CSVChunkParser``), each column's kind is the join of the chunks' kinds
/// (``InferredKind``), and the parts are concatenated in file order. The result does not depend
/// on the number of threads.
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
        let context = CSVParseContext(
            input: input, path: path, names: header.names,
            forcedKinds: header.names.map { options.columnTypes[$0].map(InferredKind.init) },
            delimiter: delimiter, naTokens: NATokenMatcher(options.naTokens))

        let threads = options.threads > 0 ? options.threads : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let dataBytes = input.count - header.dataStart
        let chunkCount = threads == 1 ? 1 : max(1, min(2 * threads, dataBytes / max(1, options.minimumChunkBytes)))
        let chunks = CSVChunker.split(input, dataStart: header.dataStart, firstLine: header.dataLine, chunkCount: chunkCount, threads: threads)

        // Phase 1: typed parse of every chunk.
        let parsers = chunks.map { CSVChunkParser(context: context, chunk: $0) }
        let outcomes = ParallelSlots<ChunkOutcome>(count: chunks.count, initial: ChunkOutcome())
        runParallel(count: chunks.count, threads: threads) { i in outcomes[i] = parsers[i].parse() }
        if let failure = (0..<chunks.count).lazy.compactMap({ outcomes[$0].failure }).first { throw failure }

        // Column kinds: forced, else the join over chunks.
        let columnCount = header.names.count
        var kinds = [InferredKind](repeating: .empty, count: columnCount)
        for c in 0..<columnCount {
            if let forced = context.forcedKinds[c] { kinds[c] = forced; continue }
            for i in 0..<chunks.count {
                switch outcomes[i].parts[c] {
                case .values(_, let kind): kinds[c] = InferredKind.join(kinds[c], kind)
                case .needsText: kinds[c] = .string
                case .allMissing: break
                }
            }
        }

        // Phase 2: string columns whose text some chunk did not keep are read again there.
        let rereads = ParallelSlots<Result<[Int: Column], DataFileError>?>(count: chunks.count, initial: nil)
        let wanted: [[Int]] = (0..<chunks.count).map { i in
            (0..<columnCount).filter { c in
                guard kinds[c] == .string else { return false }
                switch outcomes[i].parts[c] {
                case .needsText: return true
                case .values(_, let kind): return kind != .string
                case .allMissing: return false
                }
            }
        }
        if wanted.contains(where: { !$0.isEmpty }) {
            runParallel(count: chunks.count, threads: threads) { i in
                if !wanted[i].isEmpty { rereads[i] = parsers[i].readStrings(columns: wanted[i]) }
            }
        }
        var reread: [[Int: Column]] = []
        for i in 0..<chunks.count {
            switch rereads[i] {
            case .failure(let error): throw error
            case .success(let columns): reread.append(columns)
            case nil: reread.append([:])
            }
        }

        // Join the parts of each column in file order, releasing them as we go.
        var parts: [[Column]] = (0..<columnCount).map { c in
            var columnParts: [Column?] = (0..<chunks.count).map { i in
                if let text = reread[i][c] { return text }
                if case .values(let column, let kind) = outcomes[i].parts[c] { return CSVColumnMerge.convert(column, from: kind, to: kinds[c]) }
                return nil
            }
            let sibling = columnParts.lazy.compactMap { $0 }.first
            for i in 0..<chunks.count where columnParts[i] == nil {
                columnParts[i] = CSVColumnMerge.allMissing(kinds[c].dataType, rows: outcomes[i].rowCount, like: sibling)
            }
            return columnParts.compactMap { $0 }
        }
        for i in 0..<chunks.count { outcomes[i] = ChunkOutcome() }
        reread.removeAll()
        var columns: [Column] = []
        columns.reserveCapacity(columnCount)
        for c in 0..<columnCount {
            var joined = parts[c].isEmpty ? CSVColumnMerge.allMissing(kinds[c].dataType, rows: 0, like: nil) : Column.concatenate(parts[c])
            parts[c] = []
            if case .string(let strings) = joined { joined = .string(CSVStringStorage.choose(strings)) }
            columns.append(joined)
        }
        return try Table(schema: Schema(zip(header.names, kinds).map { Field($0, $1.dataType) }), columns: columns)
    }

    /// Runs `body(0..<count)` on at most `threads` threads; task `i` goes to worker
    /// `i % workers`, so each task runs exactly once.
    static func runParallel(count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        let workers = max(1, min(threads, count))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < count {
                body(i)
                i += workers
            }
        }
    }
}
