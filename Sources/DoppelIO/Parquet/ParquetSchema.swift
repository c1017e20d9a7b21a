import DoppelTable

/// How the physical values of a leaf column become the values of our column type.
///
/// TIME becomes `int64` microseconds since midnight; every TIMESTAMP unit and INT96 become
/// `timestamp` microseconds (non-UTC-adjusted timestamps keep their wall-clock value as UTC);
/// DECIMAL becomes `float64` (unscaled / 10^scale).
enum ValueConversion: Sendable, Equatable {
    case boolean
    case int32(signed: Bool)
    case int64
    case uint64
    case float
    case double
    case date32
    /// INT32 TIME(MILLIS): × 1000.
    case timeMillis32
    /// INT64 timestamp or time: value × multiplier / divisor (floor division).
    case scaledInt64(multiplier: Int64, divisor: Int64)
    case int96Timestamp
    case decimalInt32(scale: Int32)
    case decimalInt64(scale: Int32)
    case decimalBytes(scale: Int32)
    /// Text, every value checked to be well-formed UTF-8 (as CSV fields are).
    case string

    /// Bytes per value in our column's buffer.
    var targetWidth: Int {
        switch self {
        case .boolean: 1
        case .date32: 4
        case .string: 4
        default: 8
        }
    }
}

/// A flat leaf column of the file: where its chunks are and what it becomes.
struct ParquetLeaf: Sendable {
    /// Position among the file's leaves (the index of its chunk in every row group).
    let chunkIndex: Int
    let name: String
    let element: SchemaElement
    let physicalType: ParquetPhysicalType
    let maxDefinitionLevel: Int
    let type: DataType
    let conversion: ValueConversion
}

/// A top-level field: a flat leaf we can read, or a nested one we reject by name.
enum ParquetField: Sendable {
    case leaf(ParquetLeaf)
    case nested(name: String, kind: String)

    var name: String {
        switch self {
        case .leaf(let l): l.name
        case .nested(let n, _): n
        }
    }
}

enum ParquetSchemaResolver {
    /// Walks the depth-first schema list into top-level fields.
    static func fields(of schema: [SchemaElement]) throws -> [ParquetField] {
        guard let root = schema.first else { throw ParquetDecodeError("the file has no schema") }
        var position = 1
        var leafIndex = 0
        var fields: [ParquetField] = []
        guard root.numChildren >= 0, Int(root.numChildren) < schema.count else { throw ParquetDecodeError("schema root claims \(root.numChildren) children") }
        for _ in 0..<Int(root.numChildren) {
            guard position < schema.count else { throw ParquetDecodeError("schema ends early") }
            let element = schema[position]
            if element.numChildren > 0 || element.repetition == .repeated {
                let kind = nestedKind(element)
                try skipSubtree(schema, &position, &leafIndex)
                fields.append(.nested(name: element.name, kind: kind))
            } else {
                guard let physical = element.type else { throw ParquetDecodeError("schema element '\(element.name)' has neither children nor a physical type") }
                let (type, conversion) = try mapping(element, physical)
                let maxDef = element.repetition == .optional ? 1 : 0
                fields.append(.leaf(ParquetLeaf(chunkIndex: leafIndex, name: element.name, element: element, physicalType: physical,
                                                maxDefinitionLevel: maxDef, type: type, conversion: conversion)))
                position += 1
                leafIndex += 1
            }
        }
        return fields
    }

    private static func skipSubtree(_ schema: [SchemaElement], _ position: inout Int, _ leafIndex: inout Int) throws {
        var pending = 1
        var steps = 0
        while pending > 0 {
            guard position < schema.count, steps < schema.count else { throw ParquetDecodeError("schema ends inside a nested group") }
            let e = schema[position]
            pending -= 1
            if e.numChildren > 0 {
                pending += Int(e.numChildren)
            } else {
                leafIndex += 1
            }
            position += 1
            steps += 1
        }
    }

    private static func nestedKind(_ e: SchemaElement) -> String {
        switch e.logicalType {
        case .list?: return "LIST"
        case .map?: return "MAP"
        default: break
        }
        switch e.convertedType {
        case .list?: return "LIST"
        case .map?, .mapKeyValue?: return "MAP"
        default: break
        }
        if e.numChildren == 0 { return "repeated \(e.type?.name ?? "field")" }
        return "STRUCT"
    }

    /// Our type for a leaf, from its physical, logical and legacy converted types.
    static func mapping(_ e: SchemaElement, _ physical: ParquetPhysicalType) throws -> (DataType, ValueConversion) {
        let logical = e.logicalType
        let converted = e.convertedType
        let unsupported = ParquetDecodeError("column '\(e.name)': unsupported type \(physical.name) \(logical.map { "\($0)" } ?? converted.map { "\($0)" } ?? "")")
        var decimalScale: Int32? = nil
        if case .decimal(let scale, _)? = logical { decimalScale = scale } else if converted == .decimal { decimalScale = e.scale }
        if let scale = decimalScale {
            guard scale >= 0 && scale <= 76 else { throw ParquetDecodeError("column '\(e.name)': decimal scale \(scale) out of range") }
            switch physical {
            case .int32: return (.float64, .decimalInt32(scale: scale))
            case .int64: return (.float64, .decimalInt64(scale: scale))
            case .byteArray, .fixedLenByteArray: return (.float64, .decimalBytes(scale: scale))
            default: throw unsupported
            }
        }
        switch physical {
        case .boolean:
            return (.bool, .boolean)
        case .int32:
            if logical == .date || converted == .date { return (.date, .date32) }
            if case .time(_, let unit)? = logical {
                guard unit == .millis else { throw unsupported }
                return (.int64, .timeMillis32)
            }
            if converted == .timeMillis { return (.int64, .timeMillis32) }
            if case .integer(_, let signed)? = logical { return (.int64, .int32(signed: signed)) }
            if let c = converted, [.uint8, .uint16, .uint32].contains(c) { return (.int64, .int32(signed: false)) }
            return (.int64, .int32(signed: true))
        case .int64:
            if case .timestamp(_, let unit)? = logical { return (.timestamp, scaled(unit)) }
            if converted == .timestampMillis { return (.timestamp, scaled(.millis)) }
            if converted == .timestampMicros { return (.timestamp, scaled(.micros)) }
            if case .time(_, let unit)? = logical { return (.int64, scaled(unit)) }
            if converted == .timeMicros { return (.int64, scaled(.micros)) }
            if case .integer(_, let signed)? = logical { return (.int64, signed ? .int64 : .uint64) }
            if converted == .uint64 { return (.int64, .uint64) }
            return (.int64, .int64)
        case .int96:
            return (.timestamp, .int96Timestamp)
        case .float:
            return (.float64, .float)
        case .double:
            return (.float64, .double)
        case .byteArray, .fixedLenByteArray:
            if physical == .fixedLenByteArray && e.typeLength < 0 { throw ParquetDecodeError("column '\(e.name)': negative fixed length") }
            switch logical {
            case .string?, .enumeration?, .json?: return (.string, .string)
            case nil, .unknown?: break
            default: throw unsupported
            }
            switch converted {
            case .utf8?, .enumeration?, .json?: return (.string, .string)
            case nil: return (.string, .string)
            default: throw unsupported
            }
        }
    }

    private static func scaled(_ unit: ParquetTimeUnit) -> ValueConversion {
        switch unit {
        case .millis: .scaledInt64(multiplier: 1000, divisor: 1)
        case .micros: .scaledInt64(multiplier: 1, divisor: 1)
        case .nanos: .scaledInt64(multiplier: 1, divisor: 1000)
        }
    }
}
