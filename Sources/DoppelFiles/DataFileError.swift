/// An error about a data or workspace file, naming where in the file it happened.
///
/// The description reads like a compiler diagnostic: `data.csv:12: column 'age': expected 8 fields, found 9`.
public struct DataFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Path of the file as the user gave it.
    public var file: String
    /// 1-based line (text files) when known.
    public var line: Int?
    /// Column name (or 1-based position as text) when known.
    public var column: String?
    /// Further location inside a binary file, e.g. "row group 3, page 2".
    public var location: String?
    /// What is wrong, in words.
    public var message: String

    public init(file: String, line: Int? = nil, column: String? = nil, location: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.location = location
        self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let location { text += " (\(location))" }
        text += ": "
        if let column { text += "column '\(column)': " }
        return text + message
    }
}
