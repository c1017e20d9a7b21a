import DoppelTable
import DoppelTestSupport
import Foundation

/// Loads the fidelity-adult CSV files for conformance checks. They hold no quotes and no
/// missing values, so a plain split suffices; columns whose values all parse as integers
/// become `int64`, the rest strings (what pandas infers for these files).
enum AdultFixture {
    static let names = ["trn", "val", "mostly", "synthpop", "ctgan", "flip30"]

    static func path(_ name: String) -> String? { TestSupport.sharedDataFile("fidelity-adult/adult_\(name).csv.gz") }

    static var available: Bool { names.allSatisfy { path($0) != nil } }

    static func load(_ name: String) throws -> Table {
        guard let path = path(name) else { throw CocoaError(.fileNoSuchFile) }
        let (status, text) = try TestSupport.run("/bin/gzip", ["-dc", path])
        guard status == 0 else { throw CocoaError(.fileReadCorruptFile) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var cells = [[Substring]](repeating: [], count: header.count)
        for line in lines {
            for (i, cell) in line.split(separator: ",", omittingEmptySubsequences: false).enumerated() where i < header.count {
                cells[i].append(cell)
            }
        }
        let columns: [(String, Column)] = zip(header, cells).map { name, values in
            let ints = values.map { Int64($0) }
            if ints.allSatisfy({ $0 != nil }) { return (name, .int64(ints)) }
            return (name, .dictionaryString(values.map { String($0) }))
        }
        return try Table(columns)
    }
}
