import DoppelTable
import DoppelFiles

/// Arrow IPC files (also known as Feather v2): Doppel's workspace partition format.
///
/// Files are uncompressed with 64-byte aligned buffers, so reading maps the file and points
/// fixed-width columns and strings straight into the mapping; pandas, pyarrow and Polars open them
/// directly, DuckDB through pyarrow (its `nanoarrow` extension is a download, not tested; see
/// docs/workspace.md). See ``ArrowFileWriter`` for the layout and ``ArrowColumnDecoder`` for the types
/// read from other writers.
public enum ArrowIPC {
    /// Writes `table` as an Arrow IPC file, atomically. `metadata` goes into the schema's custom_metadata.
    public static func write(_ table: Table, to path: String, metadata: [String: String] = [:]) throws {
        try AtomicFile.write(to: path) { sink in
            ArrowFileWriter.write(table, to: &sink, metadata: metadata)
            try sink.checkError()
        }
    }

    /// Writes the tables that `nextChunk` returns, in order, as one Arrow IPC file, atomically
    /// and streaming (see ``ArrowFileAppender``). Every chunk must have `schema`.
    public static func write(schema: Schema, to path: String, metadata: [String: String] = [:], nextChunk: () throws -> Table?) throws {
        let file = ArrowFileAppender(path: path, schema: schema, metadata: metadata)
        while let chunk = try nextChunk() { try file.append(chunk) }
        try file.finish()
    }

    /// Reads an Arrow IPC file, memory-mapped; fixed-width buffers and string offsets/bytes point into the mapping (zero copy).
    public static func read(path: String) throws -> Table {
        try ArrowFileReader(path: path).readTable()
    }

    /// The schema's custom metadata of an Arrow IPC file, without reading its columns.
    public static func readMetadata(path: String) throws -> [String: String] {
        try ArrowFileReader.readMetadata(path: path)
    }
}

/// Writes one Arrow IPC file from tables handed over one at a time, atomically: one record batch
/// per table, one table in memory at a time, so that many files can be filled side by side. A
/// file of a single table is written like ``ArrowIPC/write(_:to:metadata:)`` (dictionary string
/// columns kept); with several, string columns are stored plain (an IPC file's dictionaries
/// cannot change from batch to batch); with none, it is an empty table of `schema`. Dropping the
/// appender before ``finish()`` leaves `path` as it was.
public final class ArrowFileAppender {
    private let path: String
    private let schema: Schema
    private let metadata: [String: String]
    /// The first table, held until a second one shows whether the file has one batch or several.
    private var pending: Table?
    private var file: AtomicFileWriter?
    private var footerSchema: FlatTable?
    private var batches: [ArrowBlock] = []
    public private(set) var rowCount = 0

    public init(path: String, schema: Schema, metadata: [String: String] = [:]) {
        self.path = path
        self.schema = schema
        self.metadata = metadata
    }

    public func append(_ table: Table) throws {
        if file == nil, let first = pending {
            let opened = try AtomicFileWriter(path: path)
            file = opened
            footerSchema = ArrowFileWriter.beginBatches(schema: schema, to: &opened.sink, metadata: metadata)
            batches.append(try ArrowFileWriter.appendBatch(first, schema: schema, to: &opened.sink, path: path))
            pending = nil
        }
        if let file {
            batches.append(try ArrowFileWriter.appendBatch(table, schema: schema, to: &file.sink, path: path))
        } else {
            try checkChunk(table, matches: schema, path: path)
            pending = table
        }
        rowCount += table.rowCount
    }

    /// Completes the file and moves it into place.
    public func finish() throws {
        if let file, let footerSchema {
            ArrowFileWriter.finishBatches(schema: footerSchema, batches: batches, to: &file.sink)
            try file.sink.checkError()
            try file.commit()
        } else {
            try ArrowIPC.write(pending ?? Table(emptyWith: schema), to: path, metadata: metadata)
        }
        pending = nil
        file = nil
    }
}
