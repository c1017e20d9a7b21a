import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel
import DoppelFiles

@Suite struct DataFilesTests {
    private func sample() throws -> Table {
        try Table([("id", .int64([1, 2, 3])), ("city", .dictionaryString(["Wien", nil, "Graz"])),
                   ("amount", .float64([1.5, 2, nil])), ("day", .date([0, 1, nil]))])
    }

    @Test(arguments: ["t.csv", "t.csv.gz", "t.parquet", "t.arrow"])
    func everyFormatRoundTripsByExtension(_ name: String) throws {
        let path = try TestSupport.temporaryDirectory("datafiles").appendingPathComponent(name).path
        let table = try sample()
        try DataFiles.write(table, to: path)
        let back = try DataFiles.read(path: path)
        #expect(back.schema == table.schema)
        #expect((0..<3).map { back.row($0) } == (0..<3).map { table.row($0) })
    }

    /// Narrow integer columns of user files are read as int64, whatever the format.
    @Test(arguments: ["n.csv", "n.parquet", "n.arrow"])
    func narrowIntegersAreReadAsInt64(_ name: String) throws {
        let path = try TestSupport.temporaryDirectory("datafiles").appendingPathComponent(name).path
        let table = try Table([("a", .int8([1, nil, -3])), ("b", .int16([300, 2, nil])), ("c", .int32([nil, 70_000, -1]))])
        try DataFiles.write(table, to: path)
        let back = try DataFiles.read(path: path)
        #expect(back.schema.fields.map(\.type) == [.int64, .int64, .int64])
        #expect((0..<3).map { back.row($0) } == (0..<3).map { table.row($0) })
    }

    @Test func unknownExtensionIsAClearError() {
        let error = #expect(throws: DataFileError.self) { try DataFiles.read(path: "/tmp/data.xlsx") }
        #expect(error?.description.contains("unsupported file type") == true)
    }

    @Test func splitReadsParquet() throws {
        let dir = try TestSupport.temporaryDirectory("datafiles")
        let input = dir.appendingPathComponent("in.parquet").path
        try DataFiles.write(try sample(), to: input)
        var options = SplitOptions(targetPath: input, workspace: dir.appendingPathComponent("ws").path)
        options.primaryKey = "id"
        options.validationFraction = 0
        let summary = try Split.run(options)
        #expect(summary.target.rows == 3)
        #expect(summary.target.encodings.map(\.encoding) == [.categorical, .numericAuto, .datetime])
    }
}
