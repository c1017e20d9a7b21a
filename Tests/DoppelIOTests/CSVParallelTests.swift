import Testing
@testable import DoppelIO

@Suite struct CSVParallelReading {
    /// Rows whose quoted fields hold newlines, delimiters and quotes, so that many chunk
    /// boundaries fall inside quoted fields.
    static func trickyText(rows: Int) -> String {
        var rng = SplitMix(seed: 7)
        var text = "id,note,x,when,kind\n"
        for i in 0..<rows {
            let r = rng.next()
            let note: String
            switch r % 5 {
            case 0: note = "\"line one\nline two, \"\"quoted\"\"\n\""
            case 1: note = "plain\(r % 97)"
            case 2: note = "\"a,b\""
            case 3: note = ""
            default: note = "\"\n\n\n\""
            }
            let x = r % 11 == 0 ? "NA" : (i > rows / 2 ? "\(Double(r % 1000) / 8)" : "\(r % 1000)")
            let when = r % 13 == 0 ? "" : "2024-01-\(10 + r % 18)" + (i > rows * 3 / 4 ? " 10:00:0\(r % 10)" : "")
            let kind = i == rows - 3 ? "odd one" : (r % 2 == 0 ? "true" : "false")
            text += "\(i),\(note),\(x),\(when),\(kind)\r\n"
        }
        return text
    }

    @Test func threadCountsGiveIdenticalTables() throws {
        let path = try CSVFixture.write(Self.trickyText(rows: 3000))
        var reference: Table?
        for threads in [1, 2, 3, 4, 8] {
            for chunkBytes in [64, 1000, 4 << 20] {
                var options = CSVReadOptions()
                options.threads = threads
                options.minimumChunkBytes = chunkBytes
                let table = try CSVReader.read(path: path, options: options)
                #expect(table.rowCount == 3000)
                #expect(table.schema.fields.map(\.type) == [.int64, .string, .float64, .timestamp, .string])
                if let reference {
                    #expect(table.schema == reference.schema)
                    #expect(table.allRows == reference.allRows, "threads \(threads), chunk \(chunkBytes)")
                } else {
                    reference = table
                }
            }
        }
        let notes = reference?.values("note") ?? []
        #expect(notes.contains(.string("line one\nline two, \"quoted\"\n")))
        #expect(notes.contains(.string("\n\n\n")))
    }

    @Test func chunkStartsAreRowStarts() throws {
        let text = Self.trickyText(rows: 500)
        let path = try CSVFixture.write(text)
        let input = try CSVInput(path: path)
        let header = try CSVHeader.read(input, delimiter: UInt8(ascii: ","), path: path)
        let chunks = CSVChunker.split(input, dataStart: header.dataStart, firstLine: header.dataLine, chunkCount: 16, threads: 2)
        #expect(chunks.count > 4)
        #expect(chunks.first?.range.lowerBound == header.dataStart)
        #expect(chunks.last?.range.upperBound == input.count)
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            #expect(a.range.upperBound == b.range.lowerBound)
            #expect(a.firstLine + a.lineFeeds == b.firstLine)
            // Each chunk starts right after a row's final LF.
            #expect(input.base[b.range.lowerBound - 1] == UInt8(ascii: "\n"))
            #expect(input.base[b.range.lowerBound] &- 48 < 10)
        }
    }
}
