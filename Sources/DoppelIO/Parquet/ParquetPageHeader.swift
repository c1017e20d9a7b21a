/// A page header (`PageHeader` in `parquet.thrift`) with the parts of its data, dictionary and
/// data-v2 sub-headers that decoding needs.
struct PageHeader: Sendable {
    var typeValue: Int32 = -1
    var uncompressedSize: Int32 = -1
    var compressedSize: Int32 = -1
    /// Values in the page, nulls included (data pages) or dictionary entries.
    var numValues: Int32 = 0
    var encodingValue: Int32 = 0
    /// Data page v1: encoding of the definition levels (RLE or the deprecated BIT_PACKED).
    var definitionLevelEncodingValue: Int32 = ParquetEncoding.rle.rawValue
    /// Data page v2 only.
    var numNulls: Int32 = 0
    var definitionLevelsByteLength: Int32 = 0
    var repetitionLevelsByteLength: Int32 = 0
    var isCompressed = true

    var type: ParquetPageType? { ParquetPageType(rawValue: typeValue) }
    var encoding: ParquetEncoding? { ParquetEncoding(rawValue: encodingValue) }
}

extension PageHeader {
    init(from r: inout ThriftReader) throws {
        var h = PageHeader()
        try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
            switch (id, type) {
            case (1, .i32): h.typeValue = try r.readI32()
            case (2, .i32): h.uncompressedSize = try r.readI32()
            case (3, .i32): h.compressedSize = try r.readI32()
            case (5, .structure):
                try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try r.readI32()
                    case (2, .i32): h.encodingValue = try r.readI32()
                    case (3, .i32): h.definitionLevelEncodingValue = try r.readI32()
                    default: try r.skip(type)
                    }
                }
            case (7, .structure):
                try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try r.readI32()
                    case (2, .i32): h.encodingValue = try r.readI32()
                    default: try r.skip(type)
                    }
                }
            case (8, .structure):
                try r.readStruct { (r: inout ThriftReader, id: Int16, type: ThriftType) throws in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try r.readI32()
                    case (2, .i32): h.numNulls = try r.readI32()
                    case (4, .i32): h.encodingValue = try r.readI32()
                    case (5, .i32): h.definitionLevelsByteLength = try r.readI32()
                    case (6, .i32): h.repetitionLevelsByteLength = try r.readI32()
                    case (7, .boolTrue): h.isCompressed = true
                    case (7, .boolFalse): h.isCompressed = false
                    default: try r.skip(type)
                    }
                }
            default: try r.skip(type)
            }
        }
        self = h
    }

    /// A v1 data page header or a dictionary page header, as our writer emits them.
    static func encode(type: ParquetPageType, uncompressedSize: Int, compressedSize: Int, numValues: Int, encoding: ParquetEncoding) -> [UInt8] {
        var w = ThriftWriter()
        w.field(1, i32: type.rawValue)
        w.field(2, i32: Int32(uncompressedSize))
        w.field(3, i32: Int32(compressedSize))
        if type == .dictionaryPage {
            w.field(7, structure: { w in
                w.field(1, i32: Int32(numValues))
                w.field(2, i32: encoding.rawValue)
            })
        } else {
            w.field(5, structure: { w in
                w.field(1, i32: Int32(numValues))
                w.field(2, i32: encoding.rawValue)
                w.field(3, i32: ParquetEncoding.rle.rawValue)
                w.field(4, i32: ParquetEncoding.rle.rawValue)
            })
        }
        w.endStruct()
        return w.bytes
    }
}
