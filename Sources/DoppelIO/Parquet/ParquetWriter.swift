import DoppelParallel
import DoppelTable
import DoppelFiles

/// Compression of the pages a ``ParquetWriter`` writes.
public enum ParquetCompression: String, Sendable, CaseIterable {
    case uncompressed, snappy, gzip, zstd, lz4Raw = "lz4_raw"

    var codec: ParquetCodec {
        switch self {
        case .uncompressed: .uncompressed
        case .snappy: .snappy
        case .gzip: .gzip
        case .zstd: .zstd
        case .lz4Raw: .lz4Raw
        }
    }
}

/// Options for ``ParquetWriter``.
public struct ParquetWriteOptions: Sendable {
    /// Page compression (zstd level 1 by default).
    public var compression: ParquetCompression = .zstd
    /// Rows per row group.
    public var rowGroupRows: Int = 1 << 20
    public init() {}
}

/// Writes a ``Table`` as a Parquet file (format 2.x, data page v1), atomically.
///
/// Type mapping: `int64` → INT64, `float64` → DOUBLE, `bool` → BOOLEAN, `string` → BYTE_ARRAY
/// UTF8 (dictionary pages when the column is dictionary-encoded or has few distinct values,
/// PLAIN otherwise), `timestamp` → INT64 TIMESTAMP(MICROS, UTC), `date` → INT32 DATE. Every
/// column is OPTIONAL and carries min/max/null-count statistics. The columns of a row group are
/// encoded in parallel.
public enum ParquetWriter {
    public static func write(_ table: Table, to path: String, options: ParquetWriteOptions = .init()) throws {
        try write(schema: table.schema, to: path, options: options, nextChunk: chunkSource([table]))
    }

    /// Writes the tables that `nextChunk` returns, in order, as one file, streaming: rows are
    /// gathered until a row group is full, and each full group is encoded and written at once,
    /// so memory holds about one row group (plus one chunk) whatever the file's size. Every
    /// chunk must have `schema`.
    public static func write(schema: Schema, to path: String, options: ParquetWriteOptions = .init(), nextChunk: () throws -> Table?) throws {
        guard options.rowGroupRows > 0 else { throw DataFileError(file: path, message: "row group size must be positive") }
        let encoder = ParquetChunkEncoder(codec: options.compression.codec)
        let names = schema.names
        try AtomicFile.write(to: path) { sink in
            let magic = Array("PAR1".utf8)
            sink.write(magic)
            var offset = magic.count
            var rowGroups: [RowGroup] = []
            var totalRows = 0
            func writeGroup(_ slice: Table) throws {
                let chunks = encodeColumns(slice, names: names, encoder: encoder)
                var group = RowGroup()
                group.numRows = Int64(slice.rowCount)
                for var chunk in chunks {
                    let chunkStart = Int64(offset)
                    if chunk.hasDictionary { chunk.meta.dictionaryPageOffset = chunkStart }
                    chunk.meta.dataPageOffset += chunkStart
                    chunk.bytes.withUnsafeBytes { sink.write($0) }
                    offset += chunk.bytes.count
                    group.totalByteSize += chunk.meta.totalUncompressedSize
                    group.columns.append(ColumnChunk(filePath: nil, fileOffset: chunkStart, metaData: chunk.meta))
                }
                try sink.checkError()
                rowGroups.append(group)
                totalRows += slice.rowCount
            }
            // Rows not yet written, oldest first; together fewer than a row group.
            var pending: [Table] = []
            var pendingRows = 0
            func flush(all: Bool) throws {
                guard pendingRows >= options.rowGroupRows || (all && pendingRows > 0) else { return }
                let rows = try Table.concatenate(pending, schema: schema)
                var start = 0
                while rows.rowCount - start >= options.rowGroupRows || (all && start < rows.rowCount) {
                    let end = min(start + options.rowGroupRows, rows.rowCount)
                    try writeGroup(rows.slice(start..<end))
                    start = end
                }
                pending = start < rows.rowCount ? [rows.slice(start..<rows.rowCount)] : []
                pendingRows = rows.rowCount - start
            }
            while let chunk = try nextChunk() {
                try checkChunk(chunk, matches: schema, path: path)
                guard chunk.rowCount > 0 else { continue }
                pending.append(chunk)
                pendingRows += chunk.rowCount
                try flush(all: false)
            }
            try flush(all: true)
            var meta = FileMetaData()
            meta.version = 2
            meta.schema = ParquetSchemaWriter.schema(schema)
            meta.numRows = Int64(totalRows)
            meta.rowGroups = rowGroups
            meta.createdBy = "doppel"
            let footer = meta.thriftBytes()
            sink.write(footer)
            let length = UInt32(footer.count)
            sink.write([UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24)])
            sink.write(magic)
            try sink.checkError()
        }
    }

    /// Encodes the columns of one row group, in parallel.
    private static func encodeColumns(_ table: Table, names: [String], encoder: ParquetChunkEncoder) -> [EncodedChunk] {
        let columns = table.columns
        return IOParallelism(threads: 0).map(columns.count) { c in encoder.encode(columns[c], name: names[c]) }
    }
}

/// The Parquet schema of our tables.
enum ParquetSchemaWriter {
    static func physicalType(_ type: DataType) -> ParquetPhysicalType {
        switch type {
        case .int64, .timestamp: .int64
        case .float64: .double
        case .bool: .boolean
        case .string: .byteArray
        case .date, .int32, .int16, .int8: .int32
        }
    }

    static func schema(_ schema: Schema) -> [SchemaElement] {
        var root = SchemaElement()
        root.name = "schema"
        root.numChildren = Int32(schema.fields.count)
        var elements = [root]
        for field in schema.fields {
            var e = SchemaElement()
            e.name = field.name
            e.type = physicalType(field.type)
            e.repetition = .optional
            switch field.type {
            case .string:
                e.convertedType = .utf8
                e.logicalType = .string
            case .timestamp:
                e.convertedType = .timestampMicros
                e.logicalType = .timestamp(utc: true, unit: .micros)
            case .date:
                e.convertedType = .date
                e.logicalType = .date
            case .int8, .int16, .int32:
                // INT32 storage with the INT(width, signed) annotation, so readers know the width.
                e.convertedType = field.type == .int8 ? .int8 : field.type == .int16 ? .int16 : .int32
                e.logicalType = .integer(bitWidth: Int8(field.type.integerBitWidth), signed: true)
            case .int64, .float64, .bool:
                break
            }
            elements.append(e)
        }
        return elements
    }
}
