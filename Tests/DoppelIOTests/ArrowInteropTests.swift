import Foundation
import Testing
@testable import DoppelIO
import DoppelTestSupport

/// Our files read by pyarrow, and pyarrow's files read by us (needs a Python with pyarrow).
@Suite(.enabled(if: TestSupport.pythonHas("pyarrow"), "needs a Python with pyarrow (DOPPEL_PYTHON)"))
struct ArrowInteropTests {
    static func script(_ name: String) -> String {
        TestSupport.repositoryRoot.appendingPathComponent("scripts/interop/\(name)").path
    }

    /// The files that every reader (pyarrow, Polars, DuckDB) is checked on: every type
    /// (`ArrowTestTables.allTypes`), a slice of it, no rows, only missing values, the table
    /// streamed as three record batches (strings then stored plain), and a slice at an odd
    /// offset of 1,000 seeded random rows (`ArrowTestTables.longRandom`).
    static let caseLabels = ["full", "slice", "empty", "missing", "batches", "random"]

    /// Writes case `label` with our writer and its JSON expectation beside it; returns both paths.
    static func writeCase(_ label: String) throws -> (file: String, expected: String) {
        let table = try ArrowTestTables.allTypes()
        let metadata = ["doppel.kind": "partition", "case": label]
        let path = try ArrowTestTables.temporaryPath("\(label).arrow")
        var written = table
        switch label {
        case "slice": written = table.slice(1..<6)
        case "empty": written = table.slice(0..<0)
        case "missing": written = try ArrowTestTables.allMissing()
        case "random": written = try ArrowTestTables.longRandom().slice(13..<997)
        default: break
        }
        if label == "batches" {
            try ArrowIPC.write(schema: table.schema, to: path, metadata: metadata,
                               nextChunk: chunkSource([table.slice(0..<3), table.slice(3..<6), table.slice(6..<7)]))
        } else {
            try ArrowIPC.write(written, to: path, metadata: metadata)
        }
        let expectedPath = path + ".json"
        try ArrowExpectation.json(written, metadata: metadata, storedPlain: label == "batches").write(to: URL(fileURLWithPath: expectedPath))
        return (path, expectedPath)
    }

    /// Every case checked in one Python process; its output names the file (the case) of each mismatch.
    @Test func pyarrowReadsOurFiles() throws {
        let python = try #require(TestSupport.python)
        let pairs = try ArrowInteropTests.caseLabels.map { try ArrowInteropTests.writeCase($0) }
        let (status, output) = try ArrowExpectation.check(engine: "pyarrow", python: python, pairs.map { ($0.file, $0.expected) })
        #expect(status == 0, "\(output)")
    }

    /// pyarrow's file in three record batches, uncompressed and with each body codec, and a
    /// pandas frame saved by `DataFrame.to_feather` with its defaults.
    @Test(arguments: ["none", "lz4", "zstd", "pandas"])
    func weReadPyarrowFiles(variant: String) throws {
        let python = try #require(TestSupport.python)
        let path = try ArrowTestTables.temporaryPath("pyarrow.arrow")
        let expectedPath = path + ".json"
        let script = ArrowInteropTests.script("arrow_write.py")
        let arguments = switch variant {
        case "none": [script, path, expectedPath]
        case "pandas": [script, "--pandas", path, expectedPath]
        default: [script, path, expectedPath, variant]
        }
        let (status, output) = try TestSupport.run(python, arguments)
        try #require(status == 0, "\(output)")
        try ArrowInteropTests.expectTable(try ArrowIPC.read(path: path), matches: expectedPath)
    }

    /// Compares a table with the JSON expectation written by `arrow_write.py`.
    static func expectTable(_ table: Table, matches expectedPath: String) throws {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: expectedPath))) as? [String: Any]
        let columns = try #require(expected?["columns"] as? [[String: Any]])
        #expect(table.rowCount == expected?["rows"] as? Int)
        #expect(table.schema.names == columns.compactMap { $0["name"] as? String })
        for spec in columns {
            let name = spec["name"] as? String ?? ""
            let column = try #require(table.column(named: name), "column \(name)")
            #expect(column.type.rawValue == spec["type"] as? String, "type of \(name)")
            #expect(ArrowExpectation.isDictionary(column) == (spec["dictionary"] as? Bool ?? false), "storage of \(name)")
            let values = spec["values"] as? [Any] ?? []
            for (row, value) in values.enumerated() {
                #expect(ArrowInteropTests.value(value, type: column.type) == column.value(at: row), "\(name) row \(row)")
            }
        }
    }

    /// A JSON value in our representation of `type`.
    static func value(_ json: Any, type: DataType) -> Value? {
        if json is NSNull { return nil }
        switch type {
        case .int64, .int32, .int16, .int8: return (json as? NSNumber).map { .int64($0.int64Value) }
        case .timestamp: return (json as? NSNumber).map { .timestamp($0.int64Value) }
        case .date: return (json as? NSNumber).map { .date($0.int32Value) }
        case .float64: return (json as? NSNumber).map { .float64($0.doubleValue) }
        case .bool: return (json as? Bool).map { .bool($0) }
        case .string: return (json as? String).map { .string($0) }
        }
    }
}
