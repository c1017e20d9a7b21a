/// The Arrow logical types this module understands, decoded from a `Field`'s type union.
enum ArrowType: Equatable, CustomStringConvertible {
    case null
    case int(bitWidth: Int, signed: Bool)
    case floatingPoint(precision: Int16)
    case bool
    case utf8
    case largeUtf8
    case utf8View
    case timestamp(unit: Int16, timezone: String?)
    case date(unit: Int16)
    /// Any other type, by its `union Type` discriminant (reading it is an error).
    case unsupported(typeID: UInt8)

    var description: String {
        switch self {
        case .null: "null"
        case .int(let bits, let signed): "\(signed ? "int" : "uint")\(bits)"
        case .floatingPoint(let p): p == ArrowFormat.Precision.half ? "float16" : p == ArrowFormat.Precision.single ? "float32" : "float64"
        case .bool: "bool"
        case .utf8: "utf8"
        case .largeUtf8: "large_utf8"
        case .utf8View: "utf8_view"
        case .timestamp(let unit, let tz):
            "timestamp[\(["s", "ms", "us", "ns"][Int(max(0, min(3, unit)))])\(tz.map { ", tz=\($0)" } ?? "")]"
        case .date(let unit): unit == ArrowFormat.DateUnit.day ? "date32" : "date64"
        case .unsupported(let id): ArrowFormat.TypeID.names[id] ?? "type #\(id)"
        }
    }
}

/// A top-level field of an Arrow schema.
struct ArrowField {
    var name: String
    var type: ArrowType
    /// Set when the column is dictionary-encoded: the dictionary id and the index type.
    var dictionary: (id: Int64, indexType: ArrowType)?
    var childCount: Int
}

/// An Arrow schema with its custom key-value metadata.
struct ArrowSchema {
    var fields: [ArrowField]
    var metadata: [String: String]
}

/// Position of one encapsulated message in a file (`struct Block`).
struct ArrowBlock {
    var offset: Int64
    var metadataLength: Int32
    var bodyLength: Int64
}

/// `struct FieldNode` and `struct Buffer` of a record batch.
struct ArrowFieldNode { var length: Int64; var nullCount: Int64 }
struct ArrowBufferRange { var offset: Int64; var length: Int64 }

/// The metadata of a record batch: row count, one node per field, buffers in field order.
struct ArrowRecordBatchHeader {
    var length: Int64
    var nodes: [ArrowFieldNode]
    var buffers: [ArrowBufferRange]
    /// Number of data buffers of each view-layout field, in field order.
    var variadicBufferCounts: [Int64] = []
    /// Set when every body buffer is compressed with this codec.
    var compression: ArrowBodyCompression?
}

/// The decoded file footer.
struct ArrowFooter {
    var schema: ArrowSchema
    var dictionaries: [ArrowBlock]
    var recordBatches: [ArrowBlock]
}
