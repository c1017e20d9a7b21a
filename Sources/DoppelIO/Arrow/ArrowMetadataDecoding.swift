/// Decodes Arrow IPC flatbuffer metadata (footer, schema, messages) into ``ArrowFooter`` and
/// friends. Every access is bounds-checked by ``FlatBufferView``.
enum ArrowMetadataDecoding {
    typealias F = ArrowFormat

    static func footer(_ buffer: FlatBufferView) throws(ArrowFormatError) -> ArrowFooter {
        let root = try buffer.root()
        guard let schema = try root.table(F.Footer.schema) else { throw ArrowFormatError("the file footer has no schema") }
        return ArrowFooter(
            schema: try self.schema(schema),
            dictionaries: try blocks(root, F.Footer.dictionaries),
            recordBatches: try blocks(root, F.Footer.recordBatches)
        )
    }

    /// Only the schema's custom metadata of a footer (for ``ArrowIPC/readMetadata(path:)``).
    static func footerMetadata(_ buffer: FlatBufferView) throws(ArrowFormatError) -> [String: String] {
        guard let schema = try buffer.root().table(F.Footer.schema) else { throw ArrowFormatError("the file footer has no schema") }
        return try keyValues(schema, F.Schema.customMetadata)
    }

    static func schema(_ table: FlatTableView) throws(ArrowFormatError) -> ArrowSchema {
        guard try table.int16(F.Schema.endianness) == 0 else { throw ArrowFormatError("big-endian Arrow files are not supported") }
        var fields: [ArrowField] = []
        if let vector = try table.vector(F.Schema.fields, elementSize: 4) {
            fields.reserveCapacity(vector.count)
            for i in 0..<vector.count { fields.append(try field(vector.table(i), index: i)) }
        }
        return ArrowSchema(fields: fields, metadata: try keyValues(table, F.Schema.customMetadata))
    }

    static func field(_ table: FlatTableView, index: Int) throws(ArrowFormatError) -> ArrowField {
        let name = try table.string(F.Field.name) ?? "column \(index + 1)"
        let typeID = try table.uint8(F.Field.typeType)
        let typeTable = try table.table(F.Field.type)
        var dictionary: (Int64, ArrowType)?
        if let encoding = try table.table(F.Field.dictionary) {
            let id = try encoding.int64(F.DictionaryEncoding.id)
            // An absent index type means Int32 (Schema.fbs).
            let indexType: ArrowType = try encoding.table(F.DictionaryEncoding.indexType).map(intType) ?? .int(bitWidth: 32, signed: true)
            dictionary = (id, indexType)
        }
        let children = try table.vector(F.Field.children, elementSize: 4)?.count ?? 0
        do {
            return ArrowField(name: name, type: try type(typeID, typeTable), dictionary: dictionary, childCount: children)
        } catch {
            throw ArrowFormatError(error.message, column: name)
        }
    }

    static func type(_ id: UInt8, _ table: FlatTableView?) throws(ArrowFormatError) -> ArrowType {
        func required() throws(ArrowFormatError) -> FlatTableView {
            guard let table else { throw ArrowFormatError("the field's type table is missing") }
            return table
        }
        switch id {
        case F.TypeID.null: return .null
        case F.TypeID.int: return try intType(required())
        case F.TypeID.floatingPoint: return .floatingPoint(precision: try required().int16(F.FloatingPointType.precision))
        case F.TypeID.bool: return .bool
        case F.TypeID.utf8: return .utf8
        case F.TypeID.largeUtf8: return .largeUtf8
        case F.TypeID.utf8View: return .utf8View
        case F.TypeID.timestamp:
            let t = try required()
            return .timestamp(unit: try t.int16(F.TimestampType.unit), timezone: try t.string(F.TimestampType.timezone))
        case F.TypeID.date:
            // Unlike other tables, `Date.unit` defaults to MILLISECOND.
            return .date(unit: try table?.int16(F.DateType.unit, default: F.DateUnit.millisecond) ?? F.DateUnit.millisecond)
        default: return .unsupported(typeID: id)
        }
    }

    static func intType(_ table: FlatTableView) throws(ArrowFormatError) -> ArrowType {
        .int(bitWidth: Int(try table.int32(F.IntType.bitWidth)), signed: try table.bool(F.IntType.isSigned))
    }

    static func keyValues(_ table: FlatTableView, _ id: Int) throws(ArrowFormatError) -> [String: String] {
        guard let vector = try table.vector(id, elementSize: 4) else { return [:] }
        var result: [String: String] = [:]
        for i in 0..<vector.count {
            let pair = try vector.table(i)
            if let key = try pair.string(F.KeyValue.key) { result[key] = try pair.string(F.KeyValue.value) ?? "" }
        }
        return result
    }

    static func blocks(_ table: FlatTableView, _ id: Int) throws(ArrowFormatError) -> [ArrowBlock] {
        guard let vector = try table.vector(id, elementSize: F.blockSize) else { return [] }
        var result: [ArrowBlock] = []
        result.reserveCapacity(vector.count)
        for i in 0..<vector.count {
            result.append(ArrowBlock(
                offset: try vector.load(Int64.self, element: i, byteOffset: 0),
                metadataLength: try vector.load(Int32.self, element: i, byteOffset: 8),
                bodyLength: try vector.load(Int64.self, element: i, byteOffset: 16)
            ))
        }
        return result
    }

    /// A `Message` table: its header type, header table and body length.
    static func message(_ buffer: FlatBufferView) throws(ArrowFormatError) -> (headerType: UInt8, header: FlatTableView, bodyLength: Int64) {
        let root = try buffer.root()
        guard let header = try root.table(F.Message.header) else { throw ArrowFormatError("a message has no header") }
        return (try root.uint8(F.Message.headerType), header, try root.int64(F.Message.bodyLength))
    }

    static func recordBatch(_ table: FlatTableView) throws(ArrowFormatError) -> ArrowRecordBatchHeader {
        var compression: ArrowBodyCompression?
        if let codec = try table.table(F.RecordBatch.compression) {
            compression = try ArrowBodyCompression(codec: codec.uint8(F.BodyCompression.codec))
            guard try codec.uint8(F.BodyCompression.method) == 0 else { throw ArrowFormatError("unknown body compression method") }
        }
        var nodes: [ArrowFieldNode] = [], buffers: [ArrowBufferRange] = []
        if let vector = try table.vector(F.RecordBatch.nodes, elementSize: F.fieldNodeSize) {
            for i in 0..<vector.count {
                nodes.append(ArrowFieldNode(length: try vector.load(Int64.self, element: i, byteOffset: 0),
                                            nullCount: try vector.load(Int64.self, element: i, byteOffset: 8)))
            }
        }
        if let vector = try table.vector(F.RecordBatch.buffers, elementSize: F.bufferSize) {
            for i in 0..<vector.count {
                buffers.append(ArrowBufferRange(offset: try vector.load(Int64.self, element: i, byteOffset: 0),
                                                length: try vector.load(Int64.self, element: i, byteOffset: 8)))
            }
        }
        var variadicCounts: [Int64] = []
        if let vector = try table.vector(F.RecordBatch.variadicBufferCounts, elementSize: 8) {
            for i in 0..<vector.count { variadicCounts.append(try vector.load(Int64.self, element: i, byteOffset: 0)) }
        }
        return ArrowRecordBatchHeader(length: try table.int64(F.RecordBatch.length), nodes: nodes, buffers: buffers,
                                      variadicBufferCounts: variadicCounts, compression: compression)
    }
}
