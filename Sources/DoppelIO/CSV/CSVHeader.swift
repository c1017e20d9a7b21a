import DoppelFiles
/// The first row of a CSV file: the column names.
struct CSVHeader {
    var names: [String]
    /// Offset of the first data row.
    var dataStart: Int
    /// Physical line of the first data row.
    var dataLine: Int

    /// Reads the header row at `input.contentStart`. Names must be non-empty, valid UTF-8 and
    /// unique.
    static func read(_ input: CSVInput, delimiter: UInt8, path: String) throws(DataFileError) -> CSVHeader {
        let start = input.contentStart
        guard start < input.count else { throw DataFileError(file: path, line: 1, message: "empty file: no header row") }
        // A tokenizer for one column is only used for its field scanner here.
        let scanner = CSVTokenizer(base: input.base, end: input.count, delimiter: delimiter, columnCount: 1)
        let scratch = ScratchBuffer()
        var names: [String] = []
        var p = start
        var line = 1
        while true {
            let fieldStart = p
            let fieldEnd: Int
            switch scanner.scanGeneral(from: p, line: &line) {
            case .success(let e): fieldEnd = e
            case .failure(let failure):
                if case .unterminatedQuote(let opened) = failure {
                    throw DataFileError(file: path, line: opened, message: "unterminated quoted field (the quote opens on this line)")
                }
                throw DataFileError(file: path, line: line, message: "cannot read the header row")
            }
            let raw = UnsafeBufferPointer(start: input.base + fieldStart, count: fieldEnd - fieldStart)
            let text = raw.contains(ASCII.quote) ? CSVTokenizer.unescape(raw, into: scratch) : raw
            guard UTF8Validation.isValid(text) else {
                throw DataFileError(file: path, line: line, column: String(names.count + 1), message: "invalid UTF-8 in header name")
            }
            names.append(String(decoding: text, as: UTF8.self))
            p = fieldEnd
            if p >= input.count { break }
            let b = input.base[p]
            if b == delimiter { p += 1; continue }
            p += b == ASCII.newline ? 1 : 2
            line += 1
            break
        }
        var seen = Set<String>()
        for (i, name) in names.enumerated() {
            guard !name.isEmpty else {
                throw DataFileError(file: path, line: 1, column: String(i + 1), message: "empty column name in the header row")
            }
            guard seen.insert(name).inserted else {
                throw DataFileError(file: path, line: 1, column: name, message: "duplicate column name in the header row")
            }
        }
        return CSVHeader(names: names, dataStart: p, dataLine: line)
    }
}
