import Foundation
import Testing
@testable import DoppelIO

@Suite struct CSVWriterRoundTrips {
    static func sampleTable() throws -> Table {
        try Table([
            ("int", .int64([1, nil, -9_223_372_036_854_775_807, 0])),
            ("float", .float64([0.1, 1e-300, nil, -2.5e17])),
            ("whole", .float64([1, 2, 3, nil])),
            ("flag", .bool([true, false, nil, true])),
            ("day", .date([0, -1, 19_724, nil])),
            ("moment", .timestamp([0, 1_709_294_400_123_456, nil, -1])),
            ("text", .string(["plain", "comma, and \"quotes\"", "two\nlines\r\nand CR", nil])),
            ("tricky", .dictionaryString(["", " padded ", "NA", "Größe €"])),
        ])
    }

    @Test func everyTypeRoundTrips() throws {
        let table = try Self.sampleTable()
        for name in ["t.csv", "t.csv.gz"] {
            let path = try CSVFixture.path(name)
            try CSVWriter.write(table, to: path)
            let back = try CSVReader.read(path: path)
            #expect(back.schema == table.schema, "\(name)")
            #expect(back.allRows == table.allRows, "\(name)")
        }
    }

    @Test func writesNarrowIntegersAsIntegers() throws {
        let path = try CSVFixture.path()
        try CSVWriter.write(Table([("a", .int8([-128, nil, 127])), ("b", .int16([300, -32_768, nil])), ("c", .int32([nil, Int32.max, -7]))]), to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "a,b,c\n-128,300,\n,-32768,2147483647\n127,,-7\n")
        // Read back as the pipeline's one integer type.
        let back = try CSVReader.read(path: path)
        #expect(back.schema.fields.map(\.type) == [.int64, .int64, .int64])
    }

    @Test func writesMinimalQuoting() throws {
        let path = try CSVFixture.path()
        try CSVWriter.write(Self.sampleTable(), to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "int,float,whole,flag,day,moment,text,tricky")
        #expect(lines[1] == "1,0.1,1.0,true,1970-01-01,1970-01-01 00:00:00,plain,\"\"")
        #expect(lines[2] == ",1e-300,2.0,false,1969-12-31,2024-03-01 12:00:00.123456,\"comma, and \"\"quotes\"\"\",\" padded \"")
        #expect(text.hasSuffix("-2.5e+17,,true,,1969-12-31 23:59:59.999999,,Größe €\n"))
    }

    @Test func delimiterOptionAndOneColumnMissingValues() throws {
        let table = try Table([("a", .int64([1, nil, 3])), ("b", .string(["x;y", "z", nil]))])
        let path = try CSVFixture.path()
        var options = CSVWriteOptions()
        options.delimiter = UInt8(ascii: ";")
        try CSVWriter.write(table, to: path, options: options)
        var readOptions = CSVReadOptions()
        readOptions.delimiter = UInt8(ascii: ";")
        #expect(try CSVReader.read(path: path, options: readOptions).allRows == table.allRows)

        let single = try Table([("only", .int64([nil, 5, nil]))])
        try CSVWriter.write(single, to: path)
        #expect(try CSVReader.read(path: path).allRows == single.allRows)
    }

    @Test func largerRandomTableRoundTripsInParallel() throws {
        var rng = SplitMix(seed: 11)
        let rows = 5000
        var ints: [Int64?] = [], floats: [Double?] = [], texts: [String?] = [], stamps: [Int64?] = []
        for _ in 0..<rows {
            let r = rng.next()
            ints.append(r % 20 == 0 ? nil : Int64(bitPattern: rng.next()))
            floats.append(r % 17 == 0 ? nil : Double(bitPattern: rng.next() >> 2) * (r % 2 == 0 ? 1 : -1))
            texts.append(r % 19 == 0 ? nil : ["a", "b\nc", "\"q\"", "é", ""][Int(r % 5)] + String(r % 3000))
            stamps.append(r % 23 == 0 ? nil : Int64(rng.next() % 4_000_000_000_000_000) - 1_000_000_000_000_000)
        }
        let table = try Table([("i", .int64(ints)), ("f", .float64(floats)), ("s", .string(texts)), ("t", .timestamp(stamps))])
        let path = try CSVFixture.path()
        try CSVWriter.write(table, to: path)
        var options = CSVReadOptions()
        options.minimumChunkBytes = 4096
        options.threads = 4
        let back = try CSVReader.read(path: path, options: options)
        #expect(back.schema == table.schema)
        #expect(back.allRows == table.allRows)
    }

    @Test func gzipMultiMemberIsOneStream() throws {
        let first = try CSVFixture.path("a.csv.gz"), second = try CSVFixture.path("b.csv.gz")
        try CSVWriter.write(Table([("x", .int64([1, 2]))]), to: first)
        // A second member holding only rows (the writer always adds a header, so strip it).
        let rows = try CSVFixture.path("rows.csv.gz")
        try CSVWriter.write(Table([("3", .int64([4]))]), to: rows)
        var joined = try Data(contentsOf: URL(fileURLWithPath: first))
        joined.append(try Data(contentsOf: URL(fileURLWithPath: rows)))
        try joined.write(to: URL(fileURLWithPath: second))
        let table = try CSVReader.read(path: second)
        #expect(table.values("x") == [.int64(1), .int64(2), .int64(3), .int64(4)])
    }
}
