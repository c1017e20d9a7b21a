/// Errors of analyze / encode / decode, each naming the column concerned.
public struct EncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let column: String
    public let message: String

    public init(column: String, _ message: String) {
        self.column = column
        self.message = message
    }

    public var description: String { "column '\(column)': \(message)" }
}
