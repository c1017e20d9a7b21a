import DoppelTable

/// Builds the Arrow IPC flatbuffer metadata (schema, messages, footer) for our column types.
///
/// Type mapping: int8/16/32/64 → Int(8/16/32/64, signed); float64 → FloatingPoint(DOUBLE); bool → Bool;
/// string → Utf8 (dictionary-encoded strings: Utf8 with a DictionaryEncoding of Int32
/// indices); timestamp → Timestamp(MICROSECOND, "UTC"); date → Date(DAY).
enum ArrowMetadataEncoding {
    typealias F = ArrowFormat

    /// The dictionary id we give the dictionary-encoded column at `fieldIndex`.
    static func dictionaryID(fieldIndex: Int) -> Int64 { Int64(fieldIndex) }

    static func schema(_ table: Table, metadata: [String: String]) -> FlatTable {
        var fields: [FlatTable] = []
        for (index, (field, column)) in zip(table.schema.fields, table.columns).enumerated() {
            fields.append(self.field(field, isDictionary: isDictionary(column), index: index))
        }
        var schema = FlatTable()
        schema.set(F.Schema.endianness, int16: 0)
        schema.set(F.Schema.fields, .tables(fields))
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { key, value in
                var pair = FlatTable()
                pair.set(F.KeyValue.key, .string(key))
                pair.set(F.KeyValue.value, .string(value))
                return pair
            }
            schema.set(F.Schema.customMetadata, .tables(pairs))
        }
        return schema
    }

    static func isDictionary(_ column: Column) -> Bool {
        if case .string(let s) = column, case .dictionary = s.storage { return true }
        return false
    }

    static func field(_ field: Field, isDictionary: Bool, index: Int) -> FlatTable {
        var table = FlatTable()
        table.set(F.Field.name, .string(field.name))
        table.set(F.Field.nullable, bool: true)
        var type = FlatTable()
        let typeID: UInt8
        switch field.type {
        case .int64, .int32, .int16, .int8:
            typeID = F.TypeID.int
            type.set(F.IntType.bitWidth, int32: Int32(field.type.integerBitWidth))
            type.set(F.IntType.isSigned, bool: true)
        case .float64:
            typeID = F.TypeID.floatingPoint
            type.set(F.FloatingPointType.precision, int16: F.Precision.double)
        case .bool:
            typeID = F.TypeID.bool
        case .string:
            typeID = F.TypeID.utf8
        case .timestamp:
            typeID = F.TypeID.timestamp
            type.set(F.TimestampType.unit, int16: F.TimeUnit.microsecond)
            type.set(F.TimestampType.timezone, .string("UTC"))
        case .date:
            typeID = F.TypeID.date
            type.set(F.DateType.unit, int16: F.DateUnit.day)
        }
        table.set(F.Field.typeType, int8: typeID)
        table.set(F.Field.type, .table(type))
        if isDictionary {
            var indexType = FlatTable()
            indexType.set(F.IntType.bitWidth, int32: 32)
            indexType.set(F.IntType.isSigned, bool: true)
            var encoding = FlatTable()
            encoding.set(F.DictionaryEncoding.id, int64: dictionaryID(fieldIndex: index))
            encoding.set(F.DictionaryEncoding.indexType, .table(indexType))
            encoding.set(F.DictionaryEncoding.isOrdered, bool: false)
            table.set(F.Field.dictionary, .table(encoding))
        }
        // Readers (Arrow C++) require the children vector even when empty.
        table.set(F.Field.children, .tables([]))
        return table
    }

    static func recordBatch(length: Int, nodes: [ArrowFieldNode], buffers: [ArrowBufferRange]) -> FlatTable {
        var nodeBytes: [UInt8] = []
        nodeBytes.reserveCapacity(nodes.count * F.fieldNodeSize)
        for n in nodes { append(n.length, to: &nodeBytes); append(n.nullCount, to: &nodeBytes) }
        var bufferBytes: [UInt8] = []
        bufferBytes.reserveCapacity(buffers.count * F.bufferSize)
        for b in buffers { append(b.offset, to: &bufferBytes); append(b.length, to: &bufferBytes) }
        var batch = FlatTable()
        batch.set(F.RecordBatch.length, int64: Int64(length))
        batch.set(F.RecordBatch.nodes, .structs(bytes: nodeBytes, count: nodes.count, alignment: 8))
        batch.set(F.RecordBatch.buffers, .structs(bytes: bufferBytes, count: buffers.count, alignment: 8))
        return batch
    }

    static func dictionaryBatch(id: Int64, data: FlatTable) -> FlatTable {
        var batch = FlatTable()
        batch.set(F.DictionaryBatch.id, int64: id)
        batch.set(F.DictionaryBatch.data, .table(data))
        batch.set(F.DictionaryBatch.isDelta, bool: false)
        return batch
    }

    static func message(headerType: UInt8, header: FlatTable, bodyLength: Int) -> FlatTable {
        var message = FlatTable()
        message.set(F.Message.version, int16: F.metadataVersionV5)
        message.set(F.Message.headerType, int8: headerType)
        message.set(F.Message.header, .table(header))
        message.set(F.Message.bodyLength, int64: Int64(bodyLength))
        return message
    }

    static func footer(schema: FlatTable, dictionaries: [ArrowBlock], recordBatches: [ArrowBlock]) -> FlatTable {
        var footer = FlatTable()
        footer.set(F.Footer.version, int16: F.metadataVersionV5)
        footer.set(F.Footer.schema, .table(schema))
        footer.set(F.Footer.dictionaries, blockVector(dictionaries))
        footer.set(F.Footer.recordBatches, blockVector(recordBatches))
        return footer
    }

    private static func blockVector(_ blocks: [ArrowBlock]) -> FlatValue {
        var bytes: [UInt8] = []
        for b in blocks {
            append(b.offset, to: &bytes)
            append(Int64(b.metadataLength), to: &bytes) // int32 + 4 bytes of struct padding
            append(b.bodyLength, to: &bytes)
        }
        return .structs(bytes: bytes, count: blocks.count, alignment: 8)
    }

    private static func append(_ value: Int64, to bytes: inout [UInt8]) {
        let bits = UInt64(bitPattern: value)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
    }
}
