/// The logical type of a column.
///
/// Physical layouts: `int64` and `timestamp` are `Int64` (timestamps in microseconds since
/// 1970-01-01T00:00:00Z), `float64` is `Double`, `date` is `Int32` days since 1970-01-01, `bool`
/// is one byte per value (0 or 1), `string` is UTF-8, plain (offsets + bytes) or dictionary
/// encoded (Int32 codes into a dictionary of distinct strings).
public enum DataType: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case int64
    case float64
    case bool
    case string
    case timestamp
    case date

    public var description: String { rawValue }

    /// True for integers and floats.
    public var isNumeric: Bool { self == .int64 || self == .float64 }
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
