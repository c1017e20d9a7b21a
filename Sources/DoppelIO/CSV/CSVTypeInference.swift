import DoppelTable

/// What the values of a column seen so far say about its type.
///
/// The kinds form a small lattice: `empty` (only missing values) is below everything,
/// `int ⊂ float` and `date ⊂ timestamp` widen, and any other mix is `string`. ``join(_:_:)`` is
/// associative and commutative, so per-chunk results merge to the same type whatever the chunking.
enum InferredKind: UInt8, Sendable {
    case empty, int, float, bool, date, timestamp, string

    static func join(_ a: InferredKind, _ b: InferredKind) -> InferredKind {
        if a == b { return a }
        if a == .empty { return b }
        if b == .empty { return a }
        switch (a, b) {
        case (.int, .float), (.float, .int): return .float
        case (.date, .timestamp), (.timestamp, .date): return .timestamp
        default: return .string
        }
    }

    init(_ type: DataType) {
        switch type {
        case .int64, .int32, .int16, .int8: self = .int
        case .float64: self = .float
        case .bool: self = .bool
        case .date: self = .date
        case .timestamp: self = .timestamp
        case .string: self = .string
        }
    }

    /// The column type of this kind (a column with only missing values is a string column).
    var dataType: DataType {
        switch self {
        case .int: .int64
        case .float: .float64
        case .bool: .bool
        case .date: .date
        case .timestamp: .timestamp
        case .empty, .string: .string
        }
    }

    /// The narrowest kind of one present value.
    static func classify(_ field: UnsafeBufferPointer<UInt8>) -> InferredKind {
        guard let first = field.first else { return .string }
        if first &- 48 < 10 || first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".") {
            if CSVValueParsers.parseInt64(field) != nil { return .int }
            if CSVValueParsers.parseDouble(field) != nil { return .float }
            if first &- 48 < 10 {
                if CSVValueParsers.parseDate(field) != nil { return .date }
                if CSVValueParsers.parseTimestamp(field, acceptDate: false) != nil { return .timestamp }
            }
            return .string
        }
        return CSVValueParsers.parseBool(field) != nil ? .bool : .string
    }
}
