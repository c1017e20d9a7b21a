/// The logical type of a column.
///
/// Physical layouts: `int8`, `int16`, `int32` and `int64` are the signed integers of that width
/// (the narrow ones hold compact data such as encoded codes; user files are read as `int64`,
/// see ``Column/widenedToInt64()``), `timestamp` is `Int64` (timestamps in microseconds since
/// 1970-01-01T00:00:00Z), `float64` is `Double`, `date` is `Int32` days since 1970-01-01, `bool`
/// is one byte per value (0 or 1), `string` is UTF-8, plain (offsets + bytes) or dictionary
/// encoded (Int32 codes into a dictionary of distinct strings).
public enum DataType: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case int64
    case int8
    case int16
    case int32
    case float64
    case bool
    case string
    case timestamp
    case date

    public var description: String { rawValue }

    /// True for integers and floats.
    public var isNumeric: Bool { isInteger || self == .float64 }
    /// True for the signed integer types of any width.
    public var isInteger: Bool { integerBitWidth > 0 }
    /// Bits per value of the integer types (8, 16, 32, 64); 0 for every other type.
    public var integerBitWidth: Int {
        switch self {
        case .int8: 8
        case .int16: 16
        case .int32: 32
        case .int64: 64
        case .float64, .bool, .string, .timestamp, .date: 0
        }
    }

    /// True for dates and timestamps.
    public var isTemporal: Bool { self == .date || self == .timestamp }
}

/// A named, typed column slot of a table.
public struct Field: Sendable, Hashable, Codable {
    public var name: String
    public var type: DataType

    public init(_ name: String, _ type: DataType) {
        self.name = name
        self.type = type
    }
}

/// The ordered fields of a table.
public struct Schema: Sendable, Hashable, Codable {
    public var fields: [Field]

    public init(_ fields: [Field]) { self.fields = fields }

    public var names: [String] { fields.map(\.name) }

    /// Index of the field called `name`, if any.
    public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }
}
