#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DoppelParallel
import DoppelTable
import DoppelFiles

/// Options for ``ParquetReader``.
public struct ParquetReadOptions: Sendable {
    /// Columns to read, in this order; `nil` reads every column.
    public var columns: [String]? = nil
    /// Worker threads for decoding column chunks; 0 = the default executor (`Executor.current`).
    public var threads: Int = 0
    public init() {}
}

/// Reads flat Parquet files into a ``Table``.
///
/// Type mapping: INT32/INT64 of any width and signedness → `int64` (an unsigned 64-bit value
/// above `Int64.max` is an error); FLOAT/DOUBLE/DECIMAL → `float64`; BOOLEAN → `bool`;
/// STRING/UTF8/ENUM/JSON and untyped BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY → `string`, every value
/// checked to be well-formed UTF-8 as CSV fields are (dictionary-encoded chunks become dictionary
/// columns); DATE → `date`; TIMESTAMP (any
/// unit) and INT96 → `timestamp` in microseconds; TIME → `int64` microseconds since midnight.
/// Nested columns (LIST, MAP, STRUCT) are rejected with an error naming them. Row groups and
/// columns are decoded in parallel.
public enum ParquetReader {
    public static func read(path: String, options: ParquetReadOptions = .init()) throws -> Table {
        let file = try MappedFile(path: path)
        return try ParquetFileReader(file: file, path: path).read(options)
    }
}

/// Reads a Parquet file a few row groups at a time (types as ``ParquetReader``), so that memory
/// follows the row groups read, not the file: after each read the file's pages are handed back
/// to the kernel (they stay in the page cache).
public struct ParquetRowGroupReader {
    private let reader: ParquetFileReader
    private let options: ParquetReadOptions
    /// The columns read, in order.
    public let schema: Schema

    public init(path: String, options: ParquetReadOptions = .init()) throws {
        reader = try ParquetFileReader(file: MappedFile(path: path), path: path)
        self.options = options
        schema = try reader.schema(options.columns)
    }

    public var rowGroupCount: Int { reader.metadata.rowGroups.count }
    public var rowCount: Int { Int(reader.metadata.numRows) }
    /// The rows of each row group.
    public var rowGroupSizes: [Int] { reader.metadata.rowGroups.map { Int($0.numRows) } }

    /// The rows of row groups `groups`, as one table.
    public func read(rowGroups groups: Range<Int>) throws -> Table {
        precondition(groups.lowerBound >= 0 && groups.upperBound <= rowGroupCount, "row groups \(groups) outside 0..<\(rowGroupCount)")
        let table = try reader.read(options, groups: groups)
        reader.file.storage.releaseResidentPages()
        return table
    }
}

/// The memory of one output column while its chunks are decoded.
private struct ColumnAssembly: @unchecked Sendable {
    let leaf: ParquetLeaf
    let values: UnsafeMutableRawPointer
    let valid: UnsafeMutablePointer<UInt8>?
}

/// The mapped file's bytes, shared read-only by the decoding threads (the mapping outlives them).
private struct SharedBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
}

struct ParquetFileReader {
    let file: MappedFile
    let path: String
    let metadata: FileMetaData
    let fields: [ParquetField]

    init(file: MappedFile, path: String) throws {
        self.file = file
        self.path = path
        let bytes = file.bytes
        let magic: [UInt8] = Array("PAR1".utf8)
        guard bytes.count >= 12 else { throw DataFileError(file: path, message: "not a Parquet file: only \(bytes.count) bytes") }
        guard Array(bytes[0..<4]) == magic, Array(bytes[(bytes.count - 4)...]) == magic else {
            throw DataFileError(file: path, message: "not a Parquet file: the PAR1 magic bytes are missing")
        }
        let footerLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt32.self)))
        guard footerLength > 0, footerLength <= bytes.count - 12 else {
            throw DataFileError(file: path, location: "footer", message: "footer length \(footerLength) does not fit in the file (\(bytes.count) bytes)")
        }
        let footer = UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - 8 - footerLength)..<(bytes.count - 8)])
        do {
            metadata = try FileMetaData(thrift: footer)
        } catch {
            throw DataFileError(file: path, location: "footer", message: "corrupt file metadata: \(parquetMessage(error))")
        }
        do {
            fields = try ParquetSchemaResolver.fields(of: metadata.schema)
        } catch {
            throw DataFileError(file: path, location: "schema", message: parquetMessage(error))
        }
        try validateRowGroups()
    }

    private var leafCount: Int {
        fields.reduce(0) { n, f in if case .leaf(let l) = f { return max(n, l.chunkIndex + 1) } else { return n } }
    }

    private func validateRowGroups() throws {
        var total: Int64 = 0
        for (g, group) in metadata.rowGroups.enumerated() {
            guard group.numRows >= 0, group.numRows <= Int64(Int32.max) else {
                throw DataFileError(file: path, location: "row group \(g)", message: "invalid row count \(group.numRows)")
            }
            guard group.columns.count >= leafCount else {
                throw DataFileError(file: path, location: "row group \(g)", message: "has \(group.columns.count) column chunks, the schema has \(leafCount) columns")
            }
            total += group.numRows
        }
        guard total == metadata.numRows else {
            throw DataFileError(file: path, location: "footer", message: "row groups hold \(total) rows, the footer says \(metadata.numRows)")
        }
        // Bounded memory: a corrupt footer must not make us allocate far beyond the file.
        guard total <= max(Int64(1) << 24, Int64(file.count) * 4096) else {
            throw DataFileError(file: path, location: "footer", message: "\(total) rows is implausible for a file of \(file.count) bytes")
        }
    }

    /// Columns to read, in order, checked against the schema.
    private func selectedLeaves(_ names: [String]?) throws -> [ParquetLeaf] {
        let chosen: [ParquetField]
        if let names {
            chosen = try names.map { name in
                guard let f = fields.first(where: { $0.name == name }) else {
                    throw DataFileError(file: path, column: name, message: "no such column (the file has \(fields.map(\.name).joined(separator: ", ")))")
                }
                return f
            }
        } else {
            chosen = fields
        }
        return try chosen.map { field in
            switch field {
            case .leaf(let leaf): return leaf
            case .nested(let name, let kind):
                throw DataFileError(file: path, column: name, message: "nested column of type \(kind) is not supported (only flat columns are)")
            }
        }
    }

    /// The schema of the columns `names` (all when `nil`) as they are read.
    func schema(_ names: [String]?) throws -> Schema {
        Schema(try selectedLeaves(names).map { Field($0.name, $0.type) })
    }

    /// Reads the row groups `groups` (all when `nil`) of the selected columns.
    func read(_ options: ParquetReadOptions, groups: Range<Int>? = nil) throws -> Table {
        let leaves = try selectedLeaves(options.columns)
        let groups = groups ?? metadata.rowGroups.indices
        let rowGroups = Array(metadata.rowGroups[groups])
        let rows = rowGroups.reduce(0) { $0 + Int($1.numRows) }
        var seen = Set<String>()
        for leaf in leaves where !seen.insert(leaf.name).inserted {
            throw DataFileError(file: path, column: leaf.name, message: "column appears twice")
        }
        var assemblies: [ColumnAssembly] = []
        // The value buffers pass to the columns at the end; until then (errors) they are ours.
        var adopted = false
        defer {
            for a in assemblies {
                if !adopted { free(a.values) }
                free(a.valid)
            }
        }
        for leaf in leaves {
            guard let values = calloc(max(rows, 1), leaf.conversion.targetWidth) else {
                throw DataFileError(file: path, column: leaf.name, message: "cannot allocate memory for \(rows) rows")
            }
            let valid = leaf.maxDefinitionLevel > 0 ? calloc(max(rows, 1), 1)?.assumingMemoryBound(to: UInt8.self) : nil
            assemblies.append(ColumnAssembly(leaf: leaf, values: values, valid: valid))
        }
        // One task per (row group, column).
        var tasks: [(group: Int, column: Int, firstRow: Int)] = []
        var firstRow = 0
        for (g, group) in zip(groups, rowGroups) {
            for c in leaves.indices { tasks.append((g, c, firstRow)) }
            firstRow += Int(group.numRows)
        }
        let fileBytes = SharedBytes(bytes: file.bytes)
        let chunkTasks = tasks
        let allGroups = metadata.rowGroups
        let path = self.path
        let columnAssemblies = assemblies
        let results = IOParallelism(threads: options.threads).map(tasks.count) { t in
            let task = chunkTasks[t]
            let assembly = columnAssemblies[task.column]
            let group = allGroups[task.group]
            let width = assembly.leaf.conversion.targetWidth
            let destination = ChunkDestination(values: assembly.values + task.firstRow * width,
                                               valid: assembly.valid.map { $0 + task.firstRow },
                                               rowCount: Int(group.numRows))
            return decodeChunk(fileBytes.bytes, path: path, leaf: assembly.leaf, chunk: group.columns[assembly.leaf.chunkIndex], group: task.group, destination)
        }
        var chunkStrings = [[ChunkStrings]](repeating: [], count: leaves.count)
        for t in tasks.indices {
            switch results[t] {
            case .failure(let error): throw error
            case .success(let strings): chunkStrings[tasks[t].column].append(strings)
            }
        }
        let rowCounts = rowGroups.map { Int($0.numRows) }
        var columns: [Column] = []
        adopted = true
        for (c, assembly) in assemblies.enumerated() {
            columns.append(ParquetColumnAssembler.column(values: assembly.values, valid: assembly.valid, leaf: assembly.leaf,
                                                         rows: rows, rowCounts: rowCounts, strings: chunkStrings[c]))
        }
        do {
            return try Table(schema: Schema(leaves.map { Field($0.name, $0.type) }), columns: columns)
        } catch {
            throw DataFileError(file: path, location: "schema", message: error.description)
        }
    }
}

/// Decodes one chunk, turning failures into errors that name the file, row group, column and page.
private func decodeChunk(_ file: UnsafeRawBufferPointer, path: String, leaf: ParquetLeaf, chunk: ColumnChunk, group: Int, _ destination: ChunkDestination) -> Result<ChunkStrings, DataFileError> {
    guard let meta = chunk.metaData else {
        return .failure(DataFileError(file: path, column: leaf.name, location: "row group \(group)", message: "column chunk has no metadata"))
    }
    if let external = chunk.filePath, !external.isEmpty {
        return .failure(DataFileError(file: path, column: leaf.name, location: "row group \(group)", message: "column chunk lives in another file (\(external)), which is not supported"))
    }
    var decoder: ColumnChunkDecoder?
    do {
        let d = try ColumnChunkDecoder(file: file, leaf: leaf, meta: meta)
        decoder = d
        return .success(try d.decode(into: destination))
    } catch {
        let page = decoder.map { $0.pageNumber > 0 ? ", page \($0.pageNumber)" : "" } ?? ""
        let message = parquetMessage(error)
        return .failure(DataFileError(file: path, column: leaf.name, location: "row group \(group)\(page)", message: message))
    }
}
