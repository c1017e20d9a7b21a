import DoppelEncoding
import DoppelModel
import DoppelTable
import Foundation

/// Maps a sequential workspace to the sequential model's inputs: the target schema with the
/// positional column first (its sub-columns as encode wrote them, docs/workspace.md), the context
/// schema, the sequence-length statistics, and the encoded partitions as ``SequenceData``.
struct SequentialInputs {
    let target: ModelSchema
    let positional: PositionalSubColumns
    /// `nil` for a key-only context.
    let context: ModelSchema?
    let medianLength: Int
    let maxLength: Int

    /// Whether the workspace holds sequential data (a context key in the target's keys.json).
    static func isSequential(_ workspace: Workspace) throws -> Bool {
        let url = workspace.keysFile(.target)
        guard FileManager.default.fileExists(atPath: url.path) else { return false }
        return try MetadataJSON.read(KeysFile.self, from: url).contextKey != nil
    }

    /// Reads the schemas from the statistics and the first encoded sequences file.
    static func read(_ workspace: Workspace) throws -> SequentialInputs {
        let targetStats = try Encode.readStats(workspace, .target)
        guard let lengths = targetStats.sequenceLength else {
            throw PipelineError.workspace("tgt-stats/stats.json has no sequence-length statistics; run `doppel analyze` again")
        }
        let contextStats = try Encode.readStats(workspace, .context)
        let first = try ModelInputs.partitionFiles(workspace, side: .training)[0]
        let sequencesFile = Encode.sequencesFile(first)
        guard FileManager.default.fileExists(atPath: sequencesFile) else {
            throw PipelineError.workspace("\(sequencesFile) is missing: the encoded data is not sequential; run `doppel encode` again")
        }
        // The positional sub-columns lead the sequences file: tgt:/__sidx_*, tgt:/__slen_*, tgt:/__ridx_*.
        let positionalSpecs = try EncodedSchema.subColumns(ofFile: sequencesFile).prefix { $0.name.hasPrefix("tgt:/__") }
        func indices(_ quantity: String) -> [Int] {
            positionalSpecs.indices.filter { positionalSpecs[$0].name.hasPrefix("tgt:/__\(quantity)_") }
        }
        let positional = PositionalSubColumns(sidx: indices("sidx"), slen: indices("slen"), ridx: indices("ridx"))
        guard !positional.slen.isEmpty, !positional.ridx.isEmpty, positional.all.count == positionalSpecs.count else {
            throw PipelineError.workspace("\(sequencesFile) lacks the positional sub-columns tgt:/__sidx_*, __slen_*, __ridx_*; run `doppel encode` again")
        }
        // Named like every encoded column, `tgt:{column}__{sub}`: column "/", sub-columns "sidx_cat", ….
        let positionalColumn = ModelSchema.Column(name: "/", subColumns: positionalSpecs.map {
            ModelSchema.SubColumn(name: String($0.name.dropFirst("tgt:/__".count)), cardinality: $0.cardinality)
        })
        let targetColumns = ModelInputs.schema(targetStats).columns
        let contextSchema = ModelInputs.schema(contextStats)
        return SequentialInputs(target: ModelSchema(columns: [positionalColumn] + targetColumns), positional: positional,
                                context: contextSchema.columns.isEmpty ? nil : contextSchema,
                                medianLength: lengths.median, maxLength: lengths.max)
    }

    /// The encoded names of the context sub-columns (`ctx:{column}__{sub}`).
    var contextNames: [String] { context.map { ModelInputs.encodedNames($0).map { "ctx:" + $0.dropFirst("tgt:".count) } } ?? [] }

    /// The context codes of the subjects of `side` (`[subjects, S_ctx]`), from the subjects files
    /// alone: generation for the training subjects needs no target rows.
    func loadContextCodes(_ workspace: Workspace, side: Workspace.Side) throws -> (subjects: Int, codes: [Int32]) {
        var codes: [Int32] = [], subjects = 0
        for path in try ModelInputs.partitionFiles(workspace, side: side) {
            subjects += try ModelInputs.readCodes(path, names: contextNames, cardinalities: context?.cardinalities ?? [], into: &codes)
        }
        return (subjects, codes)
    }

    /// All encoded partitions of `side`, in partition order. The target rows stay in the
    /// memory-mapped sequences files (read in place, every code checked once against its
    /// cardinality); only the context codes and the sequence starts are copied.
    func load(_ workspace: Workspace, side: Workspace.Side) throws -> SequenceData {
        let contextNames = contextNames
        let contextCardinalities = context?.cardinalities ?? []
        let names = ModelInputs.encodedNames(target)
        var parts: [(rows: Int, columns: [CodeColumn])] = [], contextCodes: [Int32] = [], start: [Int] = [0]
        var mappings: [BufferStorage] = []
        for path in try ModelInputs.partitionFiles(workspace, side: side) {
            let subjects = try ArrowIPC.read(path: path)
            let offset = start.removeLast()
            let part = try Self.mappedCodes(Encode.sequencesFile(path), names: names, cardinalities: target.cardinalities)
            let rows = part.rows
            parts.append((part.rows, part.columns))
            if let mapping = part.mapping {
                mappings.append(mapping)
                // The range check read every code: hand the pages back before the next file.
                mapping.releaseResidentPages()
            }
            _ = try ModelInputs.readCodes(path, names: contextNames, cardinalities: contextCardinalities, into: &contextCodes, table: subjects)
            guard let column = subjects.column(named: EncodedSchema.sequenceStartColumn) else {
                throw PipelineError.workspace("\(path) has no \(EncodedSchema.sequenceStartColumn) column; run `doppel encode` again")
            }
            let starts = Self.integers(column)
            guard starts.count == subjects.rowCount, starts.first.map({ $0 == 0 }) ?? (rows == 0),
                  zip(starts, starts.dropFirst()).allSatisfy({ $0 < $1 }), (starts.last ?? 0) < max(rows, 1) else {
                throw PipelineError.workspace("\(path): \(EncodedSchema.sequenceStartColumn) does not describe the rows of its sequences file; run `doppel encode` again")
            }
            start += starts.map { offset + $0 }
            start.append(offset + rows)
        }
        do {
            var data = try SequenceData(subColumnCount: names.count, parts: parts, start: start,
                                        contextSubColumnCount: contextNames.count, contextCodes: contextCodes)
            let mapped = mappings
            data.releasePages = { for mapping in mapped { mapping.releaseResidentPages() } }
            return data
        } catch {
            throw PipelineError.workspace("encoded sequences of \(workspace.encodedDataDirectory.path) are malformed: \(error)")
        }
    }

    /// The code columns of an encoded file, read in place from its mapping (returned too; `nil`
    /// when no column points into it), each code checked against its sub-column's cardinality.
    static func mappedCodes(_ path: String, names: [String], cardinalities: [Int]) throws -> (rows: Int, columns: [CodeColumn], mapping: BufferStorage?) {
        guard try EncodedSchema.subColumns(ofFile: path) == zip(names, cardinalities).map({ SubColumnSpec($0, $1) }) else {
            throw PipelineError.workspace("encoded file \(path) does not match the statistics (other sub-columns or cardinalities); run `doppel encode` again")
        }
        let table = try ArrowIPC.read(path: path)
        var mapping: BufferStorage?
        let columns = try zip(names, cardinalities).map { name, cardinality -> CodeColumn in
            let read: (CodeColumn, BufferStorage)? = switch table.column(named: name) {
            case .int8(let c)?: c.values.withUnsafeBufferPointer { (CodeColumn($0, owner: c.values.storage), c.values.storage) }
            case .int16(let c)?: c.values.withUnsafeBufferPointer { (CodeColumn($0, owner: c.values.storage), c.values.storage) }
            case .int32(let c)?: c.values.withUnsafeBufferPointer { (CodeColumn($0, owner: c.values.storage), c.values.storage) }
            case .int64(let c)?: c.values.withUnsafeBufferPointer { (CodeColumn($0, owner: c.values.storage), c.values.storage) }
            default: nil
            }
            guard let (codes, storage) = read else { throw PipelineError.workspace("encoded file \(path) has no integer column '\(name)'; run `doppel encode` again") }
            // Columns of one file share its mapping (those copied for alignment have heap storage).
            if mapping == nil, storage.isReadOnlyFileMapping { mapping = storage }
            if let row = codes.firstOutOfRange(cardinality: cardinality) {
                throw PipelineError.workspace("encoded file \(path), column '\(name)', row \(row): code \(codes[row]) is outside 0..<\(cardinality); run `doppel encode` again")
            }
            return codes
        }
        return (table.rowCount, columns, mapping)
    }

    /// The values of an integer column (empty for other types).
    private static func integers(_ column: Column) -> [Int] {
        func values<T: FixedWidthInteger>(_ buffer: Buffer<T>) -> [Int] { buffer.withUnsafeBufferPointer { $0.map { Int($0) } } }
        switch column {
        case .int8(let c): return values(c.values)
        case .int16(let c): return values(c.values)
        case .int32(let c): return values(c.values)
        case .int64(let c): return values(c.values)
        case .float64, .bool, .string, .timestamp, .date: return []
        }
    }
}
