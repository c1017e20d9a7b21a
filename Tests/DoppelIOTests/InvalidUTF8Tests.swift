import DoppelFiles
import DoppelTable
import DoppelTestSupport
import Foundation
import Testing
@testable import DoppelIO

/// Text read from Parquet and Arrow files is checked like CSV text: a value that is not
/// well-formed UTF-8 is an error naming the file, not a string passed on to later steps.
@Suite struct InvalidUTF8Tests {
    /// Three values, the second the malformed sequence C3 28.
    static func table() throws -> Table {
        let bytes: [UInt8] = Array("ok".utf8) + [0xC3, 0x28] + Array("fine".utf8)
        let strings = StringArray(offsets: Buffer([0, 2, 4, 8]), bytes: Buffer(bytes))
        return try Table([("name", .string(StringColumn(storage: .plain(strings), validity: nil)))])
    }

    @Test func arrowStringsAreChecked() throws {
        let path = try TestSupport.temporaryDirectory("utf8").appendingPathComponent("bad.arrow").path
        try ArrowIPC.write(try Self.table(), to: path)
        #expect { _ = try ArrowIPC.read(path: path) } throws: { "\($0)".contains(path) && "\($0)".contains("value 1 is not valid UTF-8") }
    }

    @Test func parquetStringsAreChecked() throws {
        let path = try TestSupport.temporaryDirectory("utf8").appendingPathComponent("bad.parquet").path
        try ParquetWriter.write(try Self.table(), to: path)
        #expect { _ = try ParquetReader.read(path: path) } throws: { "\($0)".contains(path) && "\($0)".contains("not valid UTF-8") }
    }

    @Test func validTextStillReads() throws {
        let path = try TestSupport.temporaryDirectory("utf8").appendingPathComponent("good.arrow").path
        try ArrowIPC.write(try Table([("name", .string(["ok", "Zürich", "東京", nil]))]), to: path)
        let back = try ArrowIPC.read(path: path)
        #expect((0..<4).map { back.columns[0].value(at: $0)?.description } == ["ok", "Zürich", "東京", nil])
    }
}
