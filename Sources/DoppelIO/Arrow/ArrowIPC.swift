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
    /// and streaming: one record batch per chunk, one chunk in memory at a time. A single chunk
    /// is written like ``write(_:to:metadata:)``; with several, string columns are stored plain
    /// (an IPC file's dictionaries cannot change from batch to batch). Every chunk must have `schema`.
    public static func write(schema: Schema, to path: String, metadata: [String: String] = [:], nextChunk: () throws -> Table?) throws {
        guard let first = try nextChunk() else {
            try write(Table(emptyWith: schema), to: path, metadata: metadata)
            return
        }
        try checkChunk(first, matches: schema, path: path)
        guard let second = try nextChunk() else {
            try write(first, to: path, metadata: metadata)
            return
        }
        try AtomicFile.write(to: path) { sink in
            try ArrowFileWriter.writeBatches(schema: schema, read: [first, second], next: nextChunk, to: &sink, metadata: metadata, path: path)
            try sink.checkError()
        }
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
