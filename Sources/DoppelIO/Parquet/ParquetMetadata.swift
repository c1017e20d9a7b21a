/// The parts of Parquet's Thrift metadata (`parquet.thrift`) that we read and write: the file
/// footer (`FileMetaData`) with its schema, row groups and column chunks, and the statistics.
/// Unknown fields are skipped, so newer writers' additions do not break reading.
struct SchemaElement: Sendable {
    var type: ParquetPhysicalType?
    var typeLength: Int32 = 0
    var repetition: ParquetRepetition?
    var name = ""
    var numChildren: Int32 = 0
    var convertedType: ParquetConvertedType?
    var scale: Int32 = 0
    var precision: Int32 = 0
    var logicalType: ParquetLogicalType?
}

struct ParquetStatistics: Sendable {
    var nullCount: Int64?
    var minValue: [UInt8]?
    var maxValue: [UInt8]?
}

struct ColumnMetaData: Sendable {
    var type: ParquetPhysicalType = .int32
    var encodings: [Int32] = []
    var path: [String] = []
    var codecValue: Int32 = 0
    var numValues: Int64 = 0
    var totalUncompressedSize: Int64 = 0
    var totalCompressedSize: Int64 = 0
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?
    var statistics: ParquetStatistics?
}

struct ColumnChunk: Sendable {
    var filePath: String?
    var fileOffset: Int64 = 0
    var metaData: ColumnMetaData?
}

struct RowGroup: Sendable {
    var columns: [ColumnChunk] = []
    var totalByteSize: Int64 = 0
    var numRows: Int64 = 0
}

struct FileMetaData: Sendable {
    var version: Int32 = 1
    var schema: [SchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [RowGroup] = []
    var createdBy: String?
}

// MARK: - Decoding

extension FileMetaData {
    init(thrift bytes: UnsafeRawBufferPointer) throws {
        var r = ThriftReader(bytes)
        var meta = FileMetaData()
        try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
            switch (id, type) {
            case (1, .i32): meta.version = try r.readI32()
            case (2, .list): try r.readStructList { (r: inout ThriftReader) throws in meta.schema.append(try SchemaElement(from: &r)) }
            case (3, .i64): meta.numRows = try r.readI64()
            case (4, .list): try r.readStructList { (r: inout ThriftReader) throws in meta.rowGroups.append(try RowGroup(from: &r)) }
            case (6, .binary): meta.createdBy = try r.readString()
            default: try r.skip(type)
            }
        }
        self = meta
    }
}

extension SchemaElement {
    init(from r: inout ThriftReader) throws {
        var e = SchemaElement()
        try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
            switch (id, type) {
            case (1, .i32): e.type = ParquetPhysicalType(rawValue: try r.readI32())
            case (2, .i32): e.typeLength = try r.readI32()
            case (3, .i32): e.repetition = ParquetRepetition(rawValue: try r.readI32())
            case (4, .binary): e.name = try r.readString()
            case (5, .i32): e.numChildren = try r.readI32()
            case (6, .i32): e.convertedType = ParquetConvertedType(rawValue: try r.readI32())
            case (7, .i32): e.scale = try r.readI32()
            case (8, .i32): e.precision = try r.readI32()
            case (10, .structure): e.logicalType = try readLogicalType(&r)
            default: try r.skip(type)
            }
        }
        self = e
    }
}

/// Reads the `LogicalType` union: exactly one field set, most of them empty structs.
private func readLogicalType(_ r: inout ThriftReader) throws -> ParquetLogicalType? {
    var result: ParquetLogicalType?
    try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
        guard type == .structure else { try r.skip(type); return }
        switch id {
        case 1: result = .string; try r.skip(type)
        case 2: result = .map; try r.skip(type)
        case 3: result = .list; try r.skip(type)
        case 4: result = .enumeration; try r.skip(type)
        case 5:
            var scale: Int32 = 0, precision: Int32 = 0
            try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
                switch (id, type) {
                case (1, .i32): scale = try r.readI32()
                case (2, .i32): precision = try r.readI32()
                default: try r.skip(type)
                }
            }
            result = .decimal(scale: scale, precision: precision)
        case 6: result = .date; try r.skip(type)
        case 7, 8:
            var utc = false, unit = ParquetTimeUnit.millis
            try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
                switch (id, type) {
                case (1, .boolTrue): utc = true
                case (1, .boolFalse): utc = false
                case (2, .structure): unit = try readTimeUnit(&r)
                default: try r.skip(type)
                }
            }
            result = id == 7 ? .time(utc: utc, unit: unit) : .timestamp(utc: utc, unit: unit)
        case 10:
            var width: Int8 = 64, signed = true
            try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
                switch (id, type) {
                case (1, .byte): width = Int8(bitPattern: try r.readByte())
                case (2, .boolTrue): signed = true
                case (2, .boolFalse): signed = false
                default: try r.skip(type)
                }
            }
            result = .integer(bitWidth: width, signed: signed)
        case 11: result = .unknown; try r.skip(type)
        case 12: result = .json; try r.skip(type)
        case 13: result = .bson; try r.skip(type)
        case 14: result = .uuid; try r.skip(type)
        case 15: result = .float16; try r.skip(type)
        default: result = .other(id); try r.skip(type)
        }
    }
    return result
}

private func readTimeUnit(_ r: inout ThriftReader) throws -> ParquetTimeUnit {
    var unit = ParquetTimeUnit.millis
    try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
        switch id {
        case 1: unit = .millis
        case 2: unit = .micros
        case 3: unit = .nanos
        default: break
        }
        try r.skip(type)
    }
    return unit
}

extension RowGroup {
    init(from r: inout ThriftReader) throws {
        var g = RowGroup()
        try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
            switch (id, type) {
            case (1, .list): try r.readStructList { (r: inout ThriftReader) throws in g.columns.append(try ColumnChunk(from: &r)) }
            case (2, .i64): g.totalByteSize = try r.readI64()
            case (3, .i64): g.numRows = try r.readI64()
            default: try r.skip(type)
            }
        }
        self = g
    }
}

extension ColumnChunk {
    init(from r: inout ThriftReader) throws {
        var c = ColumnChunk()
        try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
            switch (id, type) {
            case (1, .binary): c.filePath = try r.readString()
            case (2, .i64): c.fileOffset = try r.readI64()
            case (3, .structure): c.metaData = try ColumnMetaData(from: &r)
            default: try r.skip(type)
            }
        }
        self = c
    }
}

extension ColumnMetaData {
    init(from r: inout ThriftReader) throws {
        var m = ColumnMetaData()
        var typeSeen = false
        try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
            switch (id, type) {
            case (1, .i32):
                let raw = try r.readI32()
                guard let t = ParquetPhysicalType(rawValue: raw) else { throw ThriftError(message: "unknown physical type \(raw)") }
                m.type = t
                typeSeen = true
            case (2, .list): m.encodings = try r.readI32List()
            case (3, .list): m.path = try r.readStringList()
            case (4, .i32): m.codecValue = try r.readI32()
            case (5, .i64): m.numValues = try r.readI64()
            case (6, .i64): m.totalUncompressedSize = try r.readI64()
            case (7, .i64): m.totalCompressedSize = try r.readI64()
            case (9, .i64): m.dataPageOffset = try r.readI64()
            case (11, .i64): m.dictionaryPageOffset = try r.readI64()
            case (12, .structure): m.statistics = try ParquetStatistics(from: &r)
            default: try r.skip(type)
            }
        }
        guard typeSeen else { throw ThriftError(message: "column metadata without a physical type") }
        self = m
    }
}

extension ParquetStatistics {
    init(from r: inout ThriftReader) throws {
        var s = ParquetStatistics()
        try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
            switch (id, type) {
            case (3, .i64): s.nullCount = try r.readI64()
            case (5, .binary): s.maxValue = try r.readBytes()
            case (6, .binary): s.minValue = try r.readBytes()
            default: try r.skip(type)
            }
        }
        self = s
    }
}

// MARK: - Encoding

extension FileMetaData {
    /// The footer in the compact protocol. Every leaf gets a `TypeDefinedOrder` column order so
    /// that readers trust our `min_value`/`max_value` statistics.
    func thriftBytes() -> [UInt8] {
        var w = ThriftWriter()
        w.field(1, i32: version)
        w.field(2, structList: schema.count) { w, i in schema[i].write(&w) }
        w.field(3, i64: numRows)
        w.field(4, structList: rowGroups.count) { w, i in rowGroups[i].write(&w) }
        if let createdBy { w.field(6, string: createdBy) }
        let leaves = schema.count - 1
        w.field(7, structList: leaves) { w, _ in w.field(1, structure: { _ in }) }
        w.endStruct()
        return w.bytes
    }
}

extension SchemaElement {
    func write(_ w: inout ThriftWriter) {
        if let type { w.field(1, i32: type.rawValue) }
        if type == .fixedLenByteArray { w.field(2, i32: typeLength) }
        if let repetition { w.field(3, i32: repetition.rawValue) }
        w.field(4, string: name)
        if numChildren > 0 { w.field(5, i32: numChildren) }
        if let convertedType { w.field(6, i32: convertedType.rawValue) }
        if let logicalType {
            w.field(10, structure: { w in
                switch logicalType {
                case .string: w.field(1, structure: { _ in })
                case .date: w.field(6, structure: { _ in })
                case .timestamp(let utc, let unit):
                    w.field(8, structure: { w in
                        w.field(1, bool: utc)
                        w.field(2, structure: { w in
                            switch unit {
                            case .millis: w.field(1, structure: { _ in })
                            case .micros: w.field(2, structure: { _ in })
                            case .nanos: w.field(3, structure: { _ in })
                            }
                        })
                    })
                case .integer(let width, let signed):
                    w.field(10, structure: { w in
                        w.field(1, i8: width)
                        w.field(2, bool: signed)
                    })
                default: break
                }
            })
        }
    }
}

extension RowGroup {
    func write(_ w: inout ThriftWriter) {
        w.field(1, structList: columns.count) { w, i in columns[i].write(&w) }
        w.field(2, i64: totalByteSize)
        w.field(3, i64: numRows)
    }
}

extension ColumnChunk {
    func write(_ w: inout ThriftWriter) {
        w.field(2, i64: fileOffset)
        if let metaData { w.field(3, structure: { w in metaData.write(&w) }) }
    }
}

extension ColumnMetaData {
    func write(_ w: inout ThriftWriter) {
        w.field(1, i32: type.rawValue)
        w.field(2, i32List: encodings)
        w.field(3, stringList: path)
        w.field(4, i32: codecValue)
        w.field(5, i64: numValues)
        w.field(6, i64: totalUncompressedSize)
        w.field(7, i64: totalCompressedSize)
        w.field(9, i64: dataPageOffset)
        if let dictionaryPageOffset { w.field(11, i64: dictionaryPageOffset) }
        if let statistics { w.field(12, structure: { w in statistics.write(&w) }) }
    }
}

extension ParquetStatistics {
    func write(_ w: inout ThriftWriter) {
        if let nullCount { w.field(3, i64: nullCount) }
        if let maxValue { w.field(5, binary: maxValue) }
        if let minValue { w.field(6, binary: minValue) }
    }
}
