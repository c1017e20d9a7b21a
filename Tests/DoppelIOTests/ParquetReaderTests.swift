import Foundation
import Testing
import DoppelTestSupport
@testable import DoppelIO
import DoppelFiles

@Suite struct ParquetReaderTests {
    @Test(arguments: ParquetFixtures.withExpectedValues)
    func readsFixtureLikePyarrow(_ name: String) throws {
        let table = try ParquetReader.read(path: ParquetFixtures.path(name + ".parquet"))
        let problems = ParquetFixtures.mismatches(table, expected: try ParquetFixtures.json(name + ".expected.json"))
        #expect(problems.isEmpty, "\(name): \(problems.joined(separator: "; "))")
    }

    @Test func corpusIsPresent() {
        #expect(ParquetFixtures.withExpectedValues.count >= 15)
    }

    @Test func singleThreadedReadMatchesParallel() throws {
        var options = ParquetReadOptions()
        options.threads = 1
        let table = try ParquetReader.read(path: ParquetFixtures.path("types_row_groups.parquet"), options: options)
        #expect(ParquetFixtures.mismatches(table, expected: try ParquetFixtures.json("types_row_groups.expected.json")).isEmpty)
    }

    @Test func dictionaryStringsStayDictionaryEncodedAcrossRowGroups() throws {
        let table = try ParquetReader.read(path: ParquetFixtures.path("dictionary_row_groups.parquet"))
        guard case .string(let column)? = table.column(named: "s"), case .dictionary(_, let dictionary) = column.storage else {
            Issue.record("expected a dictionary-encoded string column")
            return
        }
        // 5 groups × 5 distinct suffixes, re-coded into one dictionary without duplicates.
        let entries = (0..<dictionary.count).map { dictionary[$0] }
        #expect(Set(entries).count == entries.count)
        #expect(entries.count == 25)
    }

    @Test func projectionReadsTheRequestedColumnsInOrder() throws {
        var options = ParquetReadOptions()
        options.columns = ["word", "i32"]
        let table = try ParquetReader.read(path: ParquetFixtures.path("types_snappy.parquet"), options: options)
        #expect(table.schema.names == ["word", "i32"])
        #expect(ParquetFixtures.mismatches(table, expected: try ParquetFixtures.json("types_snappy.expected.json")).filter { !$0.hasPrefix("columns:") && !$0.hasPrefix("missing") }.isEmpty)
    }

    @Test func unknownProjectedColumnIsAnError() {
        var options = ParquetReadOptions()
        options.columns = ["nope"]
        #expect(throws: DataFileError.self) { try ParquetReader.read(path: ParquetFixtures.path("types_snappy.parquet"), options: options) }
    }

    @Test func rejectsFilesWithClearMessages() throws {
        let errors = try ParquetFixtures.json("errors.json")
        #expect(errors.count >= 3)
        for (file, fragment) in errors {
            do {
                _ = try ParquetReader.read(path: ParquetFixtures.path(file))
                Issue.record("\(file) was read without error")
            } catch let error as DataFileError {
                #expect(error.description.contains(fragment as? String ?? "?"), "\(file): \(error)")
            }
        }
    }

    @Test func nestedColumnsCanBeSkippedByProjection() throws {
        var options = ParquetReadOptions()
        options.columns = ["id"]
        let table = try ParquetReader.read(path: ParquetFixtures.path("nested.parquet"), options: options)
        #expect(table.column(named: "id")?.value(at: 1) == .int64(2))
    }

    @Test(.enabled(if: TestSupport.sharedDataFile("california-household.parquet") != nil))
    func readsCaliforniaHouseholds() throws {
        let path = try #require(TestSupport.sharedDataFile("california-household.parquet"))
        let table = try ParquetReader.read(path: path)
        let summary = try ParquetFixtures.json("california-household.summary.json")
        #expect(table.rowCount == summary["rows"] as? Int)
        for spec in summary["columns"] as? [[String: Any]] ?? [] {
            let name = spec["name"] as? String ?? ""
            guard case .int64(let c)? = table.column(named: name) else { Issue.record("\(name) missing or not int64"); continue }
            #expect(c.nullCount == spec["nulls"] as? Int, "\(name)")
            var sum: Int64 = 0, low = Int64.max, high = Int64.min
            for row in 0..<c.count where c.isValid(row) {
                sum &+= c.values[row]
                low = min(low, c.values[row])
                high = max(high, c.values[row])
            }
            #expect(String(sum) == spec["sum"] as? String, "\(name) sum")
            #expect(String(low) == spec["min"] as? String && String(high) == spec["max"] as? String, "\(name) range")
            for (k, want) in (spec["sample"] as? [Any] ?? []).enumerated() {
                #expect(ParquetFixtures.matches(.int64(c), k * 997, want), "\(name)[\(k * 997)]")
            }
        }
    }
}
