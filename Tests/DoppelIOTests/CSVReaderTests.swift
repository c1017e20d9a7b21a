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
        #expect(table.values("d") == [.date(19724), .date(19782)])
        #expect(table.values("e") == [.timestamp(1_704_164_645_000_000), .timestamp(1_704_164_640_000_000)])
        #expect(table.values("f") == [.string("x"), .string("y")])
    }

    @Test func quotedFieldsWithDelimitersQuotesAndNewlines() throws {
        let table = try CSVFixture.read("name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n\"multi\nline\",\"\"\nplain,\"x\"\n")
        #expect(table.values("name") == [.string("Smith, J"), .string("multi\nline"), .string("plain")])
        #expect(table.values("note") == [.string("said \"hi\""), .string(""), .string("x")])
    }

    @Test func crlfAndMissingFinalNewline() throws {
        let table = try CSVFixture.read("a,b\r\n1,x\r\n2,\"y\r\nz\"\r\n3,w")
        #expect(table.values("a") == [.int64(1), .int64(2), .int64(3)])
        #expect(table.values("b") == [.string("x"), .string("y\r\nz"), .string("w")])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id,v\n1,2\n".utf8)
        let table = try CSVReader.read(path: CSVFixture.write(bytes))
        #expect(table.schema.names == ["id", "v"])
        #expect(table.values("id") == [.int64(1)])
    }

    @Test func otherDelimiters() throws {
        let semicolon = try CSVFixture.read("a;b\n1,5;x y\n2;\"p;q\"\n") { $0.delimiter = UInt8(ascii: ";") }
        #expect(semicolon.values("a") == [.string("1,5"), .string("2")])
        #expect(semicolon.values("b") == [.string("x y"), .string("p;q")])
        let tab = try CSVFixture.read("a\tb\n1\t2.5\n") { $0.delimiter = UInt8(ascii: "\t") }
        #expect(tab.values("b") == [.float64(2.5)])
    }

    @Test func missingValuesAndNATokens() throws {
        let table = try CSVFixture.read("a,b,c\n1,NA,x\n,N/A,null\nNaN,\"NA\",\"\"\n4,5,\n")
        #expect(table.values("a") == [.int64(1), nil, nil, .int64(4)])
        // A quoted token is a value, never missing.
        #expect(table.type("b") == .string)
        #expect(table.values("b") == [nil, nil, .string("NA"), .string("5")])
        #expect(table.values("c") == [.string("x"), nil, .string(""), nil])
        let custom = try CSVFixture.read("a,b\n-,1\n2,?\n") { $0.naTokens = ["-", "?"] }
        #expect(custom.values("a") == [nil, .int64(2)])
        #expect(custom.values("b") == [.int64(1), nil])
        let none = try CSVFixture.read("a\nNA\nx\n") { $0.naTokens = [] }
        #expect(none.values("a") == [.string("NA"), .string("x")])
    }

    @Test func blankLines() throws {
        // With several columns a blank line carries no row ...
        let several = try CSVFixture.read("a,b\n1,2\n\n3,4\n\n")
        #expect(several.values("a") == [.int64(1), .int64(3)])
        // ... with one column it is a missing value (what the writer produces for one).
        let one = try CSVFixture.read("a\n1\n\n3\n")
        #expect(one.values("a") == [.int64(1), nil, .int64(3)])
    }

    @Test func headerOnlyAndNonASCII() throws {
        let empty = try CSVFixture.read("a,b\n")
        #expect(empty.rowCount == 0)
        #expect(empty.schema.fields.map(\.type) == [.string, .string])
        let text = try CSVFixture.read("stadt,größe\nWien,\"1,9 Mio\"\nGraz,Ünter\n")
        #expect(text.schema.names == ["stadt", "größe"])
        #expect(text.values("größe") == [.string("1,9 Mio"), .string("Ünter")])
    }

    @Test func dictionaryEncodingFollowsCardinality() throws {
        var text = "low,high\n"
        for i in 0..<3000 { text += "c\(i % 7),id\(i)\n" }
        let table = try CSVFixture.read(text)
        guard case .string(let low) = table.column(named: "low"), case .string(let high) = table.column(named: "high") else {
            Issue.record("expected string columns"); return
        }
        if case .dictionary(_, let dictionary) = low.storage { #expect(dictionary.count == 7) } else { Issue.record("low cardinality should be a dictionary") }
        if case .plain = high.storage {} else { Issue.record("3000 distinct of 3000 rows should be plain") }
        #expect(high[2999] == "id2999")
        #expect(low[9] == "c2")
    }

    @Test func allMissingColumnIsString() throws {
        let table = try CSVFixture.read("a,b\n1,\n2,NA\n")
        #expect(table.type("b") == .string)
        #expect(table.values("b") == [nil, nil])
    }
}

@Suite struct CSVReaderShapes {
    @Test func fieldLongerThanABlock() throws {
        let long = String(repeating: "xy,\n\"", count: 240_000)   // 1.2 MB (a block is 1 MiB); quotes doubled below
        let escaped = long.replacingOccurrences(of: "\"", with: "\"\"")
        let text = "id,blob\n1,\"\(escaped)\"\n2,short\n"
        for threads in [1, 2] {
            let table = try CSVFixture.read(text) { $0.threads = threads; $0.minimumChunkBytes = 1 << 20 }
            #expect(table.values("id") == [.int64(1), .int64(2)])
            #expect(table.values("blob") == [.string(long), .string("short")])
        }
    }

    @Test func wideTable() throws {
        let columns = 70_000
        let header = (0..<columns).map { "c\($0)" }.joined(separator: ",")
        let row = (0..<columns).map { String($0 % 10) }.joined(separator: ",")
        let table = try CSVFixture.read(header + "\n" + row + "\n" + row + "\n")
        #expect(table.columnCount == columns)
        #expect(table.rowCount == 2)
        #expect(table.values("c69999") == [.int64(9), .int64(9)])
    }

    @Test func byteOrderMarkAndHeaderOnly() throws {
        let table = try CSVReader.read(path: CSVFixture.write([0xEF, 0xBB, 0xBF] + Array("\"a\",b".utf8)))
        #expect(table.schema.names == ["a", "b"])
        #expect(table.rowCount == 0)
    }
}
