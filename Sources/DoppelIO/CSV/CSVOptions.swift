import DoppelTable

/// How ``CSVReader`` reads a file.
public struct CSVReadOptions: Sendable {
    /// The one-byte field separator.
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// Unquoted fields equal to one of these are missing values; the empty unquoted field is
    /// always missing too. A quoted field is never missing (`""` is the empty string).
    public var naTokens: [String] = ["NA", "N/A", "null", "NaN"]
    /// Per-column type override: skips inference and forces the parse (a value that does not
    /// parse is an error naming file, line and column).
    public var columnTypes: [String: DataType] = [:]
    /// Worker threads; 0 = the default executor (`Executor.current`: all cores unless a command set `--jobs`).
    public var threads: Int = 0
    /// Smallest chunk handed to one worker (internal: tests lower it to force many chunks).
    var minimumChunkBytes: Int = 4 << 20
    /// Use the row-major fast path for simple rows (internal: tests compare with it off).
    var fastRows = true
    /// Rows per parse block (internal: tests use tiny blocks to reach every path).
    var blockRows = 1024

    public init() {}
}

/// How ``CSVWriter`` writes a file.
public struct CSVWriteOptions: Sendable {
    /// The one-byte field separator.
    public var delimiter: UInt8 = UInt8(ascii: ",")

    public init() {}
}

/// Byte constants of the CSV grammar.
enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
}
