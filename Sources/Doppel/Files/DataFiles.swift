import DoppelFiles
/// How user data files are read, whatever their format.
public struct DataReadOptions: Sendable {
    /// CSV field delimiter (one byte).
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// CSV texts that mean "missing" besides the empty field.
    public var naTokens: [String] = CSVReadOptions().naTokens
    /// Column types that override inference (CSV).
    public var columnTypes: [String: DataType] = [:]

    public init() {}

    var csv: CSVReadOptions {
        var o = CSVReadOptions()
        o.delimiter = delimiter
        o.naTokens = naTokens
        o.columnTypes = columnTypes
        return o
    }
}

/// Reads and writes user data files by their extension: `.csv`, `.csv.gz`, `.tsv` (CSV with
/// the given delimiter), `.parquet`, `.arrow` / `.feather` (Arrow IPC).
public enum DataFiles {
    public enum Format: Sendable, Equatable {
        case csv
        case arrow
        case parquet
    }

    /// The format implied by `path`'s extension.
    public static func format(of path: String) throws(DataFileError) -> Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".arrow") || lower.hasSuffix(".feather") || lower.hasSuffix(".ipc") { return .arrow }
        if lower.hasSuffix(".parquet") || lower.hasSuffix(".pq") { return .parquet }
        for suffix in [".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".txt.gz"] where lower.hasSuffix(suffix) { return .csv }
        throw DataFileError(file: path, message: "unsupported file type; expected .csv, .csv.gz, .tsv, .parquet, .arrow or .feather")
    }

    public static func read(path: String, options: DataReadOptions = .init()) throws -> Table {
        switch try format(of: path) {
        case .csv:
            var csv = options.csv
            if path.lowercased().contains(".tsv") && options.delimiter == UInt8(ascii: ",") { csv.delimiter = UInt8(ascii: "\t") }
            return try CSVReader.read(path: path, options: csv)
        case .arrow:
            // Arrow files may hold int8/16/32 columns: the pipeline sees one integer type.
            return try ArrowIPC.read(path: path).widenedToInt64()
        case .parquet:
            return try ParquetReader.read(path: path)
        }
    }

    /// Writes the tables that `nextChunk` returns, in order, as one file, streaming in every
    /// format: CSV one chunk at a time, Parquet one row group at a time, Arrow one record batch
    /// per chunk.
    public static func write(schema: Schema, to path: String, nextChunk: () throws -> Table?) throws {
        switch try format(of: path) {
        case .csv: try CSVWriter.write(schema: schema, to: path, nextChunk: nextChunk)
        case .parquet: try ParquetWriter.write(schema: schema, to: path, nextChunk: nextChunk)
        case .arrow: try ArrowIPC.write(schema: schema, to: path, nextChunk: nextChunk)
        }
    }

    public static func write(_ table: Table, to path: String) throws {
        switch try format(of: path) {
        case .csv: try CSVWriter.write(table, to: path)
        case .arrow: try ArrowIPC.write(table, to: path)
        case .parquet: try ParquetWriter.write(table, to: path)
        }
    }
}
