import Testing
@testable import DoppelIO
import DoppelFiles

@Suite struct CSVReaderErrors {
    @Test func raggedRows() {
        let more = CSVFixture.error("a,b\n1,2\n3,4,5\n")
        #expect(more?.line == 3)
        #expect(more?.message == "expected 2 fields, found 3")
        let fewer = CSVFixture.error("a,b,c\n1,2,3\n\"x\ny\",2\n")
        #expect(fewer?.line == 3)
        #expect(fewer?.message == "expected 3 fields, found 2")
        #expect(fewer?.description.hasSuffix(":3: expected 3 fields, found 2") == true)
    }

    @Test func invalidUTF8() throws {
        let bytes = Array("a,b\n1,ok\n2,".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        do {
            _ = try CSVReader.read(path: CSVFixture.write(bytes))
            Issue.record("expected an error")
        } catch let error as DataFileError {
            #expect(error.line == 3)
            #expect(error.column == "b")
            #expect(error.message == "invalid UTF-8 in field")
        }
        // Also when the column first looked numeric.
        let late = Array("a\n1\n2\n".utf8) + [0xFF] + Array("\n".utf8)
        #expect(throws: DataFileError.self) { try CSVReader.read(path: CSVFixture.write(late)) }
    }

    @Test func unterminatedQuoteNamesTheLineWhereItOpened() {
        let error = CSVFixture.error("a,b\n1,2\n3,\"open\n4,5\n6,7\n")
        #expect(error?.line == 3)
        #expect(error?.message.hasPrefix("unterminated quoted field") == true)
    }

    @Test func emptyFileAndBadHeaders() throws {
        #expect(CSVFixture.error("")?.message == "empty file: no header row")
        let bomOnly = try CSVFixture.write([0xEF, 0xBB, 0xBF])
        #expect(throws: DataFileError.self) { try CSVReader.read(path: bomOnly) }
        let empty = CSVFixture.error("a,,c\n1,2,3\n")
        #expect(empty?.message == "empty column name in the header row")
        #expect(empty?.column == "2")
        let duplicate = CSVFixture.error("a,b,a\n1,2,3\n")
        #expect(duplicate?.message == "duplicate column name in the header row")
        #expect(duplicate?.column == "a")
    }

    @Test func badGzipData() throws {
        let notGzip = try CSVFixture.write("a,b\n1,2\n", name: "data.csv.gz")
        #expect(throws: DataFileError.self) { try CSVReader.read(path: notGzip) }
        let truncated = try CSVFixture.write([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4B], name: "t.csv.gz")
        do {
            _ = try CSVReader.read(path: truncated)
            Issue.record("expected an error")
        } catch let error as DataFileError {
            #expect(error.message.hasPrefix("bad gzip data"))
        }
    }

    @Test func missingFileAndBadDelimiter() {
        #expect(throws: DataFileError.self) { try CSVReader.read(path: "/nonexistent/x.csv") }
        let error = CSVFixture.error("a\n1\n") { $0.delimiter = UInt8(ascii: "\"") }
        #expect(error != nil)
    }

    @Test func errorsAreReportedAtTheirLineInLaterChunks() {
        var text = "a,b\n"
        for i in 0..<2000 { text += "\(i),\"q\nq\"\n" }
        text += "1,2,3\n"
        for threads in [1, 2, 4] {
            let error = CSVFixture.error(text) { $0.threads = threads; $0.minimumChunkBytes = 512 }
            #expect(error?.line == 4002)
            #expect(error?.message == "expected 2 fields, found 3")
        }
    }
}
