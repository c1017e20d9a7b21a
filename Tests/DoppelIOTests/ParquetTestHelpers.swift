import Foundation
import DoppelTestSupport
@testable import DoppelIO

/// Fixture paths and value comparison for the Parquet tests.
enum ParquetFixtures {
    static let directory = TestSupport.repositoryRoot.appendingPathComponent("Tests/DoppelIOTests/Fixtures/parquet")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Names (without extension) of fixtures that come with expected values.
    static var withExpectedValues: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".expected.json") }.map { String($0.dropLast(".expected.json".count)) }.sorted()
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// Compares every value of `table` with the expected JSON (pyarrow's reading); returns the
    /// mismatches in words (empty when all agree).
    static func mismatches(_ table: Table, expected: [String: Any], limit: Int = 10) -> [String] {
        var problems: [String] = []
        guard let rows = expected["rows"] as? Int, let columns = expected["columns"] as? [[String: Any]] else { return ["bad expected file"] }
        if table.rowCount != rows { problems.append("rows: \(table.rowCount) != \(rows)") }
        if table.columnCount != columns.count { problems.append("columns: \(table.columnCount) != \(columns.count)") }
        for spec in columns {
            guard let name = spec["name"] as? String, let type = spec["type"] as? String, let values = spec["values"] as? [Any] else { continue }
            guard let column = table.column(named: name) else { problems.append("missing column \(name)"); continue }
            if column.type.rawValue != type { problems.append("\(name): type \(column.type) != \(type)"); continue }
            for (row, want) in values.enumerated() where row < column.count {
                if !matches(column, row, want) {
                    problems.append("\(name)[\(row)]: \(column.value(at: row).map { "\($0)" } ?? "null") != \(want)")
                    if problems.count >= limit { return problems }
                }
            }
        }
        return problems
    }

    static func matches(_ column: Column, _ row: Int, _ want: Any) -> Bool {
        if want is NSNull { return !column.isValid(row) }
        guard column.isValid(row) else { return false }
        switch column {
        case .int64(let c), .timestamp(let c): return (want as? String).flatMap { Int64($0) } == c.values[row]
        case .int8, .int16, .int32: return matches(column.widenedToInt64(), row, want)
        case .float64(let c):
            guard let s = want as? String, let d = Double(s) else { return false }
            return d.bitPattern == c.values[row].bitPattern || (d.isNaN && c.values[row].isNaN)
        case .bool(let c): return (want as? Bool) == (c.values[row] != 0)
        case .date(let c): return (want as? NSNumber)?.int32Value == c.values[row]
        case .string(let c): return (want as? String) == c[row]
        }
    }
}

typealias ParquetTestRandom = TestRandom
