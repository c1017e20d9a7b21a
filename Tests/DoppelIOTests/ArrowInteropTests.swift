import Foundation
import Testing
@testable import DoppelIO
import DoppelTestSupport

/// Our files read by pyarrow, and pyarrow's files read by us (needs a Python with pyarrow).
@Suite(.enabled(if: TestSupport.python != nil, "needs a Python with pyarrow (DOPPEL_PYTHON)"))
struct ArrowInteropTests {
    static func script(_ name: String) -> String {
        TestSupport.repositoryRoot.appendingPathComponent("scripts/interop/\(name)").path
    }

    @Test func pyarrowReadsOurFiles() throws {
        let python = try #require(TestSupport.python)
        let table = try ArrowTestTables.allTypes()
        let metadata = ["doppel.kind": "partition", "rows": "7"]
        let cases = [("full", table), ("slice", table.slice(1..<6)), ("empty", table.slice(0..<0)), ("missing", try ArrowTestTables.allMissing())]
        for (label, candidate) in cases {
            let path = try ArrowTestTables.temporaryPath("\(label).arrow")
            try ArrowIPC.write(candidate, to: path, metadata: metadata)
            let expectedPath = path + ".json"
            try ArrowInteropTests.expectation(candidate, metadata: metadata).write(to: URL(fileURLWithPath: expectedPath))
            let (status, output) = try TestSupport.run(python, [ArrowInteropTests.script("arrow_check.py"), path, expectedPath])
            #expect(status == 0, "\(label): \(output)")
        }
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
            #expect(ArrowTestTables.isDictionary(column) == (spec["dictionary"] as? Bool ?? false), "storage of \(name)")
            let values = spec["values"] as? [Any] ?? []
            for (row, value) in values.enumerated() {
                #expect(ArrowInteropTests.value(value, type: column.type) == column.value(at: row), "\(name) row \(row)")
            }
        }
    }

    /// The JSON that `arrow_check.py` compares a file with.
    static func expectation(_ table: Table, metadata: [String: String]) throws -> Data {
        var columns: [[String: Any]] = []
        for (field, column) in zip(table.schema.fields, table.columns) {
            let values: [Any] = (0..<table.rowCount).map { row -> Any in
                switch column.value(at: row) {
                case nil: NSNull()
                case .int64(let v)?, .timestamp(let v)?: v
                case .float64(let v)?: String(v) // JSON has no infinity; the script parses it
                case .bool(let v)?: v
                case .string(let v)?: v
                case .date(let v)?: Int(v)
                }
            }
            columns.append(["name": field.name, "type": field.type.rawValue, "dictionary": ArrowTestTables.isDictionary(column), "values": values])
        }
        return try JSONSerialization.data(withJSONObject: ["rows": table.rowCount, "metadata": metadata, "columns": columns])
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
