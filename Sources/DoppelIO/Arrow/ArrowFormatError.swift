import DoppelFiles
/// A malformed FlatBuffers buffer or Arrow IPC structure; the reader wraps it into a
/// ``DataFileError`` that names the file.
struct ArrowFormatError: Error {
    var message: String
    var column: String?

    init(_ message: String, column: String? = nil) {
        self.message = message
        self.column = column
    }
}

extension ArrowFormatError {
    /// Runs `body`, turning an ``ArrowFormatError`` into a ``DataFileError`` naming the file.
    static func locating<T>(path: String, location: String, _ body: () throws(ArrowFormatError) -> T) throws(DataFileError) -> T {
        do {
            return try body()
        } catch {
            throw DataFileError(file: path, column: error.column, location: location, message: error.message)
        }
    }
}
