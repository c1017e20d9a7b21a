import Testing
@testable import DoppelIO

@Suite struct CSVReaderBasics {
    @Test func readsTypedColumns() throws {
        let table = try CSVFixture.read("a,b,c,d,e,f\n1,1.5,true,2024-01-02,2024-01-02T03:04:05Z,x\n-2,,FALSE,2024-02-29,2024-01-02 03:04,y\n")
        #expect(table.rowCount == 2)
        #expect(table.schema.fields.map(\.type) == [.int64, .float64, .bool, .date, .timestamp, .string])
        #expect(table.values("a") == [.int64(1), .int64(-2)])
        #expect(table.values("b") == [.float64(1.5), nil])
        #expect(table.values("c") == [.bool(true), .bool(false)])
        #expect(table.values("f") == [.string("x"), .string("y")])
    }
}
