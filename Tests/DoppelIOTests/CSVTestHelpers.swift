import Foundation
import DoppelTestSupport
@testable import DoppelIO
import DoppelFiles

/// Writes CSV text (or bytes) to a temporary file and reads it back.
enum CSVFixture {
    static func path(_ name: String = "data.csv") throws -> String {
        try TestSupport.temporaryDirectory("csv-test").appendingPathComponent(name).path
    }

    static func write(_ bytes: [UInt8], name: String = "data.csv") throws -> String {
        let p = try path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    static func write(_ text: String, name: String = "data.csv") throws -> String {
        try write(Array(text.utf8), name: name)
    }

    static func read(_ text: String, _ configure: (inout CSVReadOptions) -> Void = { _ in }) throws -> Table {
        var options = CSVReadOptions()
        configure(&options)
        return try CSVReader.read(path: write(text), options: options)
    }

    /// The error that reading `text` throws, if any.
    static func error(_ text: String, _ configure: (inout CSVReadOptions) -> Void = { _ in }) -> DataFileError? {
        do {
            _ = try read(text, configure)
            return nil
        } catch let error as DataFileError {
            return error
        } catch {
            return DataFileError(file: "?", message: "unexpected error \(error)")
        }
    }
}

extension Table {
    /// The values of column `name` (boxed; tests only).
    func values(_ name: String) -> [Value?] {
        guard let column = column(named: name) else { return [] }
        return (0..<rowCount).map { column.value(at: $0) }
    }

    func type(_ name: String) -> DataType? { column(named: name)?.type }

    /// Every cell, row by row (for comparing whole tables).
    var allRows: [[Value?]] { (0..<rowCount).map { row($0) } }
}
