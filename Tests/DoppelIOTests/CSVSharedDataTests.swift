import Testing
import DoppelTestSupport
@testable import DoppelIO

@Suite struct CSVSharedData {
    @Test(.enabled(if: TestSupport.sharedDataFile("census.csv.gz") != nil))
    func census() throws {
        let path = try #require(TestSupport.sharedDataFile("census.csv.gz"))
        let table = try CSVReader.read(path: path)
        #expect(table.rowCount == 48_842)
        #expect(table.columnCount == 15)
        #expect(table.type("age") == .int64)
        #expect(table.type("fnlwgt") == .int64)
        #expect(table.type("workclass") == .string)
        #expect(table.row(0).prefix(4) == [.int64(39), .string("State-gov"), .int64(77516), .string("Bachelors")])
        #expect(table.values("income").last == .string(">50K"))
        if case .string(let workclass) = table.column(named: "workclass"), case .dictionary(_, let dictionary) = workclass.storage {
            #expect(dictionary.count == 9)
        } else {
            Issue.record("workclass should be dictionary-encoded")
        }
        var single = CSVReadOptions()
        single.threads = 1
        #expect(try CSVReader.read(path: path, options: single).allRows == table.allRows)
    }

    @Test(.enabled(if: TestSupport.sharedDataFile("titanic.csv") != nil))
    func titanic() throws {
        let path = try #require(TestSupport.sharedDataFile("titanic.csv"))
        let table = try CSVReader.read(path: path)
        #expect(table.rowCount == 1309)
        #expect(table.schema.names == ["survived", "pclass", "sex", "age", "sibsp", "parch", "fare", "embarked"])
        #expect(table.type("age") == .int64)
        #expect(table.column(named: "age")?.nullCount == 263)
        #expect(table.column(named: "fare")?.nullCount == 1)
        #expect(table.column(named: "embarked")?.nullCount == 2)
        #expect(table.row(0) == [.int64(1), .int64(1), .string("female"), .int64(29), .int64(0), .int64(0), .int64(211), .string("S")])
    }
}
