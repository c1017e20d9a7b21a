import Testing
@testable import DoppelIO
import DoppelParallel
import DoppelFiles

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

    /// The speculative split: chunks tile the data, each starts right after a line feed, and
    /// the expected rows follow the line-feed density.
    @Test func chunksStartAfterLineFeeds() throws {
        let text = Self.trickyText(rows: 500)
        let path = try CSVFixture.write(text)
        let input = try CSVInput(path: path)
        let header = try CSVHeader.read(input, delimiter: UInt8(ascii: ","), path: path)
        let chunks = CSVChunker.split(input, dataStart: header.dataStart, firstLine: header.dataLine, chunkCount: 16)
        #expect(chunks.count > 4)
        #expect(chunks.first?.range.lowerBound == header.dataStart)
        #expect(chunks.last?.range.upperBound == input.count)
        let feeds = text.utf8.filter { $0 == UInt8(ascii: "\n") }.count
        #expect(abs(chunks.reduce(0) { $0 + $1.expectedRows } - feeds) < feeds / 10 + 20)
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            #expect(a.range.upperBound == b.range.lowerBound)
            #expect(input.base[b.range.lowerBound - 1] == UInt8(ascii: "\n"))
        }
    }

    /// Chunk starts guessed inside quoted fields (many line feeds in quotes, tiny chunks) are
    /// corrected, and an error after them names its true line.
    @Test func wrongChunkStartsAreParsedAgain() throws {
        var text = "id,note\n"
        for i in 0..<2_000 { text += i % 2 == 0 ? "\(i),\"a\nb\nc\"\n" : "\(i),plain\n" }
        var options = CSVReadOptions()
        options.threads = 4
        options.minimumChunkBytes = 64
        let table = try CSVReader.read(path: CSVFixture.write(text), options: options)
        #expect(table.rowCount == 2_000)
        #expect(table.values("note").enumerated().allSatisfy { $0.element == .string($0.offset % 2 == 0 ? "a\nb\nc" : "plain") })
        // A ragged row after them: line 4,002 (the header, 1,000 rows of three lines, 1,000 of one).
        let broken = text + "2000,x,y\n"
        let error = CSVFixture.error(broken) { $0.threads = 4; $0.minimumChunkBytes = 64 }
        #expect(error?.line == 1 + 1_000 * 3 + 1_000 + 1)
        #expect(error?.message == "expected 2 fields, found 3")
    }
}

@Suite struct CSVFastRows {
    /// Many rows (so that later blocks take the fast path) with every kind of irregularity.
    static func mixedText(rows: Int, delimiter: String = ",") -> String {
        var rng = SplitMix(seed: 99)
        var text = ["i", "f", "d", "t", "b", "s", "q"].joined(separator: delimiter) + "\n"
        for row in 0..<rows {
            let r = rng.next()
            func pick(_ options: [String]) -> String { options[Int(rng.next() % UInt64(options.count))] }
            let i = r % 17 == 0 ? pick(["", "NA", "+7", "-0", "0012", "9223372036854775807", "\"42\""]) : String(Int64(bitPattern: r) >> 20)
            let f = r % 13 == 0 ? pick(["", "NaN", "1e5", ".5", "-2.", "12345678901234567", "\"3.25\"", "5"]) : "\(Int(r % 100_000)).\(r % 100)"
            let d = r % 11 == 0 ? pick(["", "null", "\"2024-02-29\""]) : "20\(10 + r % 20)-0\(1 + r % 9)-1\(r % 10)"
            let t = r % 7 == 0 ? pick(["", "2024-01-01", "2024-01-01T10:00:00+02:00", "2024-01-01 10:00:00.123"]) : "2023-05-0\(1 + r % 9) 0\(r % 10):00:00"
            let b = r % 5 == 0 ? pick(["", "TRUE", "\"false\"", "N/A"]) : (r & 1 == 0 ? "true" : "false")
            let s = r % 3 == 0 ? pick(["", "\"a,b\"", "\"multi\nline\"", "\"say \"\"x\"\"\"", "NA", "é", " sp "]) : "v\(r % 50)"
            let q = row == rows - 10 ? "late string" : String(r % 1000)
            // A field that holds the delimiter is quoted (unless it already is).
            let fields = [i, f, d, t, b, s, q].map { $0.hasPrefix("\"") || !$0.contains(delimiter) ? $0 : "\"\($0)\"" }
            text += fields.joined(separator: delimiter) + (r % 4 == 0 ? "\r\n" : "\n")
            if r % 97 == 0 { text += "\n" }
        }
        return text
    }

    @Test func fastPathGivesTheSameTable() throws {
        let path = try CSVFixture.write(Self.mixedText(rows: 20_000))
        var slow = CSVReadOptions()
        slow.fastRows = false
        slow.threads = 1
        let reference = try CSVReader.read(path: path, options: slow)
        #expect(reference.schema.fields.map(\.type) == [.int64, .float64, .date, .timestamp, .bool, .string, .string])
        for threads in [1, 2, 3] {
            var fast = CSVReadOptions()
            fast.threads = threads
            fast.minimumChunkBytes = 100_000
            let table = try CSVReader.read(path: path, options: fast)
            #expect(table.schema == reference.schema)
            #expect(table.allRows == reference.allRows, "threads \(threads)")
        }
    }

    /// With another delimiter (the fast path parses dates, timestamps and booleans where they
    /// stand only when the delimiter cannot be part of them) the fast path still agrees.
    @Test(arguments: ["\t", ";", "-", " "])
    func fastPathAgreesWithOtherDelimiters(delimiter: String) throws {
        let path = try CSVFixture.write(Self.mixedText(rows: 12_000, delimiter: delimiter))
        var slow = CSVReadOptions()
        slow.delimiter = UInt8(ascii: delimiter.unicodeScalars.first!)
        slow.fastRows = false
        slow.threads = 1
        let reference = try CSVReader.read(path: path, options: slow)
        #expect(reference.columnCount == 7)
        var fast = slow
        fast.fastRows = true
        fast.threads = 2
        fast.minimumChunkBytes = 100_000
        let table = try CSVReader.read(path: path, options: fast)
        #expect(table.schema == reference.schema)
        #expect(table.allRows == reference.allRows)
    }

    /// A high-cardinality string column (stored plain after its first rows) with short, long,
    /// quoted, non-ASCII, missing and NA values, beside a low-cardinality one: the fast path's
    /// bulk string commit gives the general path's table, and invalid UTF-8 in either column
    /// gives the general path's error.
    @Test func fastPathStringColumnsAgree() throws {
        var rng = SplitMix(seed: 11)
        var text = "id,key,word\n"
        for i in 0..<40_000 {
            let r = rng.next()
            let key: String
            switch r % 11 {
            case 0: key = ""
            case 1: key = "NA"
            case 2: key = "\"quoted key \(i), with a comma\""
            case 3: key = "ünïcödé-\(i)"
            case 4: key = "a-much-longer-key-than-sixteen-bytes-\(i)"
            default: key = "k\(i)"
            }
            // A quoted "NA" is a value: the dictionary then holds the token's text, and an
            // unquoted NA must still read as missing.
            let word = ["alpha", "béta", "", "\"gam,ma\"", "NA", "delta", "\"NA\""][Int(r >> 8) % 7]
            // Row 30,000 (line 30,002) is where the invalid bytes go below.
            text += i == 30_000 ? "\(i),k\(i),delta\n" : "\(i),\(key),\(word)\n"
        }
        var slow = CSVReadOptions()
        slow.fastRows = false
        slow.threads = 1
        let path = try CSVFixture.write(text)
        let reference = try CSVReader.read(path: path, options: slow)
        #expect(reference.schema.fields.map(\.type) == [.int64, .string, .string])
        let words = reference.values("word")
        #expect(words.contains(.string("NA")) && words.contains(nil))
        for threads in [1, 2] {
            var fast = CSVReadOptions()
            fast.threads = threads
            fast.minimumChunkBytes = 200_000
            let table = try CSVReader.read(path: path, options: fast)
            #expect(table.allRows == reference.allRows, "threads \(threads)")
        }
        // Line 30,002 gets an invalid byte in one column: a stray 0xFF before the key, or a lone
        // lead byte 0xC3 at the end of the word.
        let line = 30_002
        let lineStart = text.utf8.indices.lazy.filter { text.utf8[$0] == UInt8(ascii: "\n") }.dropFirst(line - 2).first!
        let offset = text.utf8.distance(from: text.utf8.startIndex, to: lineStart) + 1
        for column in ["key", "word"] {
            var bytes = Array(text.utf8)
            if column == "key" {
                bytes.insert(0xFF, at: bytes[offset...].firstIndex(of: UInt8(ascii: ","))! + 1)
            } else {
                bytes.insert(0xC3, at: bytes[offset...].firstIndex(of: UInt8(ascii: "\n"))!)
            }
            var messages: [String] = []
            for fastRows in [false, true] {
                var options = CSVReadOptions()
                options.fastRows = fastRows
                do {
                    _ = try CSVReader.read(path: CSVFixture.write(bytes), options: options)
                    Issue.record("expected an error")
                } catch let error as DataFileError {
                    #expect(error.line == line)
                    #expect(error.column == column)
                    messages.append(error.message)
                }
            }
            #expect(messages.count == 2 && messages[0] == messages[1])
        }
    }

    @Test func fastPathErrorsMatch() throws {
        var text = "a,b\n"
        for i in 0..<10_000 { text += "\(i),x\(i % 10)\n" }
        let ragged = text + "1,2,3\n"
        let badUTF8 = Array(text.utf8) + Array("5,".utf8) + [0xFF] + Array("\n".utf8)
        for fastRows in [false, true] {
            let error = CSVFixture.error(ragged) { $0.fastRows = fastRows }
            #expect(error?.line == 10_002)
            #expect(error?.message == "expected 2 fields, found 3")
            do {
                var options = CSVReadOptions()
                options.fastRows = fastRows
                _ = try CSVReader.read(path: CSVFixture.write(badUTF8), options: options)
                Issue.record("expected an error")
            } catch let error as DataFileError {
                #expect(error.line == 10_002)
                #expect(error.column == "b")
            }
        }
    }
}

@Suite struct CSVNestedInExecutor {
    /// A read made from inside parallel tasks runs inline in each task (no oversubscription,
    /// no deadlock) and gives the same table as a read on its own.
    @Test func readsInsideParallelTasksAgree() throws {
        let path = try CSVFixture.write(CSVFastRows.mixedText(rows: 5_000))
        var options = CSVReadOptions()
        options.threads = 2
        options.minimumChunkBytes = 20_000
        let alone = try CSVReader.read(path: path, options: options).allRows
        let shared = options
        for jobs in [1, 2] {
            let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: jobs))
            let nested = try executor.map(3, label: { "read \($0)" }) { _ in
                try CSVReader.read(path: path, options: shared).allRows
            }
            #expect(nested.allSatisfy { $0 == alone }, "jobs \(jobs)")
        }
    }
}

@Suite struct CSVSharedColumnMemory {
    /// The chunks' fixed-width parts are joined in place in the shared block (moved down to
    /// close the gaps their windows leave), not copied into memory of the column's exact size;
    /// blank lines and line feeds in quotes change nothing.
    @Test(arguments: [false, true])
    func chunkPartsJoinInPlace(irregular: Bool) throws {
        var text = "id,x,d,note\n"
        for i in 0..<20_000 {
            text += "\(i),\(Double(i) / 4),2024-01-\(10 + i % 9),\(irregular && i % 7 == 0 ? "\"two\nlines\"" : "n")\n"
            if irregular && i % 11 == 0 { text += "\n" }
        }
        let path = try CSVFixture.write(text)
        var options = CSVReadOptions()
        options.threads = 2
        options.minimumChunkBytes = 50_000
        let table = try CSVReader.read(path: path, options: options)
        let rows = 20_000
        guard case .int64(let ids) = table.columns[0], case .float64(let xs) = table.columns[1], case .date(let days) = table.columns[2] else {
            Issue.record("unexpected types \(table.schema)")
            return
        }
        #expect(ids.values.array == (0..<rows).map { Int64($0) })
        #expect(xs.values.array == (0..<rows).map { Double($0) / 4 })
        for (storage, start, width) in [(ids.values.storage, ids.values.rawBytes.baseAddress, 8), (xs.values.storage, xs.values.rawBytes.baseAddress, 8),
                                        (days.values.storage, days.values.rawBytes.baseAddress, 4)] {
            // A view from the start of a block with room for the windows' slack: no copy.
            #expect(start == storage.baseAddress)
            #expect(storage.byteCount > rows * width)
        }
        // The dictionary codes of the string column too.
        guard case .string(let notes) = table.columns[3], case .dictionary(let codes, _) = notes.storage else {
            Issue.record("expected a dictionary column")
            return
        }
        #expect(codes.rawBytes.baseAddress == codes.storage.baseAddress)
        #expect(codes.storage.byteCount > rows * 4)
        // With one thread there is one chunk and nothing to join either.
        options.threads = 1
        #expect(try CSVReader.read(path: path, options: options).allRows == table.allRows)
    }

    /// When a dictionary column switches to plain storage, its missing values become empty
    /// strings (their dictionary code was only a placeholder), also in a column read a second
    /// time as text because it began with numbers.
    @Test func missingValuesStayEmptyWhenStringsTurnPlain() throws {
        var text = "id,key,late\n"
        for i in 0..<40_000 {
            let key = i % 7 == 0 ? "" : "key-\(i)"
            let late = i % 5 == 0 ? "" : (i < 30_000 ? "\(i)" : "late-\(i)")
            text += "\(i),\(key),\(late)\n"
        }
        let path = try CSVFixture.write(text)
        for threads in [1, 2] {
            var options = CSVReadOptions()
            options.threads = threads
            options.minimumChunkBytes = 100_000
            let table = try CSVReader.read(path: path, options: options)
            for c in 1...2 {
                guard case .string(let column) = table.columns[c], case .plain(let array) = column.storage, let validity = column.validity else {
                    Issue.record("expected a plain string column with missing values")
                    continue
                }
                var blank = 0
                for row in 0..<table.rowCount where !validity.isValid(row) {
                    if array.offsets[row + 1] == array.offsets[row] { blank += 1 }
                }
                #expect(blank == validity.nullCount)
                #expect(validity.nullCount == (c == 1 ? 40_000 / 7 + 1 : 40_000 / 5))
            }
        }
    }

    /// A high-cardinality string column (each chunk switches it to plain storage) is joined in
    /// place too: offsets and bytes are views of the shared blocks, and the values are those of
    /// a one-chunk read.
    @Test func plainStringPartsJoinInPlace() throws {
        var text = "id,key\n"
        for i in 0..<80_000 { text += i % 13 == 0 ? "\(i),\n" : (i % 17 == 0 ? "\(i),\"quoted, key \(i)\"\n" : "\(i),key-\(i * 7919 % 100_003)\n") }
        let path = try CSVFixture.write(text)
        var options = CSVReadOptions()
        options.threads = 2
        options.minimumChunkBytes = 100_000
        let table = try CSVReader.read(path: path, options: options)
        guard case .string(let keys) = table.columns[1], case .plain(let array) = keys.storage else {
            Issue.record("expected a plain string column")
            return
        }
        #expect(array.offsets.rawBytes.baseAddress == array.offsets.storage.baseAddress)
        #expect(array.bytes.rawBytes.baseAddress == array.bytes.storage.baseAddress)
        #expect(array.offsets.storage.byteCount > (table.rowCount + 1) * 4)
        options.threads = 1
        #expect(try CSVReader.read(path: path, options: options).allRows == table.allRows)
    }
}
