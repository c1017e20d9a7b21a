import DoppelTable

/// Arrow IPC files (also known as Feather v2): Doppel's workspace partition format.
///
/// Files are uncompressed with 64-byte aligned buffers, so reading maps the file and points
/// fixed-width columns and strings straight into the mapping; pandas, pyarrow, Polars and DuckDB
/// open them directly. See ``ArrowFileWriter`` for the layout and ``ArrowColumnDecoder`` for the
/// types read from other writers.
public enum ArrowIPC {
    /// Writes `table` as an Arrow IPC file, atomically. `metadata` goes into the schema's custom_metadata.
    public static func write(_ table: Table, to path: String, metadata: [String: String] = [:]) throws {
        try AtomicFile.write(to: path) { sink in
            ArrowFileWriter.write(table, to: &sink, metadata: metadata)
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
