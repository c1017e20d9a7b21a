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

/// A user data file read in batches of rows, so that a step that passes over the rows once
/// (split) holds one batch at a time: Parquet is read a few row groups at a time (memory follows
/// the row groups), Arrow IPC is mapped and handed out in slices (its pages are the file's own),
/// and CSV is read whole and handed out as one batch (types are inferred over the whole file).
public struct DataFileReader {
    public let path: String
    /// The columns every batch has.
    public let schema: Schema
    public let rowCount: Int
    private let format: DataFiles.Format
    /// CSV and Arrow: the file, read at once.
    private let whole: Table?
    private let parquet: ParquetRowGroupReader?

    public init(path: String, options: DataReadOptions = .init()) throws {
        self.path = path
        format = try DataFiles.format(of: path)
        if format == .parquet {
            let reader = try ParquetRowGroupReader(path: path)
            parquet = reader
            whole = nil
            schema = reader.schema
            rowCount = reader.rowCount
        } else {
            let table = try DataFiles.read(path: path, options: options)
            whole = table
            parquet = nil
            schema = table.schema
            rowCount = table.rowCount
        }
    }

    /// One column, whole (a Parquet file reads that column alone).
    public func column(named name: String) throws -> Column {
        if let whole {
            guard let column = whole.column(named: name) else { throw DataFileError(file: path, column: name, message: "no such column") }
            return column
        }
        var columnOnly = ParquetReadOptions()
        columnOnly.columns = [name]
        let reader = try ParquetRowGroupReader(path: path, options: columnOnly)
        return try reader.read(rowGroups: 0..<reader.rowGroupCount).columns[0]
    }

    /// Calls `body` with the file's rows in order, in batches of about `rows` rows (Parquet:
    /// whole row groups, at least one per batch; CSV: one batch), and whether it is the last.
    public func forEachBatch(rows: Int = 1 << 20, _ body: (_ batch: Table, _ isLast: Bool) throws -> Void) throws {
        if let parquet {
            let sizes = parquet.rowGroupSizes
            guard !sizes.isEmpty else { return try body(Table(emptyWith: schema), true) }
            var first = 0
            while first < sizes.count {
                var end = first + 1, batchRows = sizes[first]
                while end < sizes.count && batchRows + sizes[end] <= rows { batchRows += sizes[end]; end += 1 }
                try body(try parquet.read(rowGroups: first..<end), end == sizes.count)
                first = end
            }
        } else if let whole {
            if format == .csv || whole.rowCount <= rows {
                try body(whole, true)
            } else {
                for start in stride(from: 0, to: whole.rowCount, by: rows) {
                    let end = min(whole.rowCount, start + rows)
                    try body(whole.slice(start..<end), end == whole.rowCount)
                }
            }
        }
    }
}
