import Foundation
import Testing
import DoppelTestSupport
@testable import DoppelIO
import DoppelFiles

/// Parquet and Arrow files written from a stream of chunks read back as the chunks joined, in
/// order, and other readers open them.
@Suite struct StreamingWriteTests {
    /// Chunks of 1000, 0, 700 and 1 rows whose string columns each have their own dictionary.
    static func chunks() throws -> [Table] {
        try [(0, 1000), (1000, 0), (1000, 700), (1700, 1)].map { start, rows in
            let ids = (start..<(start + rows)).map { Int64($0) }
            let labels = (start..<(start + rows)).map { $0 % 7 == 0 ? nil : "label-\($0 % (start / 500 + 3))" }
            let scores = (start..<(start + rows)).map { $0 % 5 == 0 ? nil : Double($0) / 8 }
            var dictionary = StringDictionaryBuilder()
            var codes = BufferBuilder<Int32>(capacity: rows)
            var bits = BitmapBuilder(capacity: rows)
            for label in labels {
                codes.append(dictionary.intern(Array((label ?? "").utf8).withUnsafeBufferPointer { $0 }).code)
                bits.append(label != nil)
            }
            let strings = StringColumn(storage: .dictionary(codes: codes.finish(), dictionary: dictionary.finish()), validity: bits.finish())
            return try Table([("id", .int64(ids)), ("label", .string(strings)), ("score", .float64(scores))])
        }
    }

    static func joined(_ chunks: [Table]) throws -> Table {
        try Table.concatenate(chunks, schema: chunks[0].schema)
    }

    static func write(_ name: String, _ writer: (String, Schema, () throws -> Table?) throws -> Void) throws -> String {
        let path = try TestSupport.temporaryDirectory("streaming").appendingPathComponent(name).path
        let all = try chunks()
        try writer(path, all[0].schema, chunkSource(all))
        return path
    }

    @Test func parquetRowGroupsFollowTheRowsNotTheChunks() throws {
        var options = ParquetWriteOptions()
        options.rowGroupRows = 500
        let path = try Self.write("stream.parquet") { path, schema, next in
            try ParquetWriter.write(schema: schema, to: path, options: options, nextChunk: next)
        }
        let back = try ParquetReader.read(path: path)
        let expected = try Self.joined(try Self.chunks())
        #expect(back.rowCount == 1701)
        #expect(sameValues(expected, back).isEmpty, "\(sameValues(expected, back))")
        let file = try ParquetFileReader(file: try MappedFile(path: path), path: path)
        #expect(file.metadata.rowGroups.map(\.numRows) == [500, 500, 500, 201])
    }

    @Test func arrowWritesOneBatchPerChunk() throws {
        let path = try Self.write("stream.arrow") { path, schema, next in
            try ArrowIPC.write(schema: schema, to: path, metadata: ["k": "v"], nextChunk: next)
        }
        let back = try ArrowIPC.read(path: path)
        let expected = try Self.joined(try Self.chunks())
        #expect(back.rowCount == 1701)
        #expect(sameValues(expected, back).isEmpty, "\(sameValues(expected, back))")
        #expect(try ArrowIPC.readMetadata(path: path)["k"] == "v")
    }

    /// Several files filled side by side, batch by batch (as split does): each reads back as its
    /// batches joined; a file given one table is the bytes of a plain write of it; an appender
    /// dropped before `finish()` leaves the file as it was.
    @Test func appendersFillSeveralFilesSideBySide() throws {
        let dir = try TestSupport.temporaryDirectory("appender")
        let all = try Self.chunks()
        let paths = (0..<3).map { dir.appendingPathComponent("part-\($0).arrow").path }
        let files = paths.map { ArrowFileAppender(path: $0, schema: all[0].schema, metadata: ["role": "test"]) }
        for chunk in all { try files[0].append(chunk) }
        try files[1].append(all[2])
        for file in files { try file.finish() }
        #expect(files[0].rowCount == 1701)
        let back = try ArrowIPC.read(path: paths[0])
        let expected = try Self.joined(all)
        #expect(sameValues(expected, back).isEmpty, "\(sameValues(expected, back))")
        guard case .string(let labels)? = back.column(named: "label"), case .plain = labels.storage else {
            Issue.record("several batches store strings plain"); return
        }
        let single = dir.appendingPathComponent("single.arrow").path
        try ArrowIPC.write(all[2], to: single, metadata: ["role": "test"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: paths[1])) == Data(contentsOf: URL(fileURLWithPath: single)))
        #expect(try ArrowIPC.read(path: paths[2]).rowCount == 0)
        #expect(try ArrowIPC.read(path: paths[2]).schema == all[0].schema)

        do {
            let dropped = ArrowFileAppender(path: paths[1], schema: all[0].schema)
            try dropped.append(all[0])
            try dropped.append(all[2])
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: paths[1])) == Data(contentsOf: URL(fileURLWithPath: single)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }.isEmpty, "no temporary left")
    }

    /// A Parquet file read a row group range at a time gives the rows of a whole read, and the
    /// pages handed back in between are read again intact.
    @Test func parquetRowGroupRangesJoinToTheWholeFile() throws {
        var options = ParquetWriteOptions()
        options.rowGroupRows = 300
        let path = try Self.write("groups.parquet") { path, schema, next in
            try ParquetWriter.write(schema: schema, to: path, options: options, nextChunk: next)
        }
        let reader = try ParquetRowGroupReader(path: path)
        #expect(reader.rowGroupSizes == [300, 300, 300, 300, 300, 201])
        #expect(reader.rowCount == 1701)
        let parts = try [0..<2, 2..<3, 3..<6, 1..<2].map { try reader.read(rowGroups: $0) }
        let whole = try ParquetReader.read(path: path)
        #expect(sameValues(whole, try Table.concatenate(Array(parts[0..<3]), schema: reader.schema)).isEmpty)
        #expect(sameValues(whole.slice(300..<600), parts[3]).isEmpty, "a range read again after the pages were released")
        var idOnly = ParquetReadOptions()
        idOnly.columns = ["id"]
        let ids = try ParquetRowGroupReader(path: path, options: idOnly)
        #expect(ids.schema.names == ["id"])
        #expect(try ids.read(rowGroups: 0..<6).rowCount == 1701)
    }

    /// Handing back a file mapping's pages keeps its bytes readable; other memory is untouched.
    @Test func releasedPagesOfAMappingReadBackAndHeapMemoryIsLeftAlone() throws {
        let path = try TestSupport.temporaryDirectory("release").appendingPathComponent("bytes.bin").path
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try AtomicFile.write(bytes, to: path)
        let file = try MappedFile(path: path)
        #expect(file.storage.isReadOnlyFileMapping)
        #expect(Array(file.bytes) == bytes)
        file.storage.releaseResidentPages()
        #expect(Array(file.bytes) == bytes)
        let heap = Buffer<Int64>(Array(1...10_000))
        #expect(!heap.storage.isReadOnlyFileMapping)
        heap.storage.releaseResidentPages()
        #expect(heap.array == Array(1...10_000))
    }

    @Test func emptyStreamsGiveEmptyFilesWithTheColumns() throws {
        let schema = try Self.chunks()[0].schema
        for name in ["empty.parquet", "empty.arrow"] {
            let path = try TestSupport.temporaryDirectory("streaming").appendingPathComponent(name).path
            if name.hasSuffix(".parquet") {
                try ParquetWriter.write(schema: schema, to: path) { nil }
                #expect(try ParquetReader.read(path: path).schema.names == schema.names)
            } else {
                try ArrowIPC.write(schema: schema, to: path) { nil }
                #expect(try ArrowIPC.read(path: path).schema == schema)
            }
        }
    }

    /// A chunk whose columns differ from the file's stops every writer with the file named, and
    /// leaves no file behind (writes are atomic).
    @Test(arguments: ["mismatch.csv", "mismatch.parquet", "mismatch.arrow"])
    func chunksOfAnotherSchemaAreRejected(name: String) throws {
        let path = try TestSupport.temporaryDirectory("streaming").appendingPathComponent(name).path
        var pending = try Self.chunks()
        pending.insert(try Table([("id", .int64([1])), ("label", .string(["x"])), ("score", .string(["1.5"]))]), at: 2)
        let next = chunkSource(pending)
        let schema = try Self.chunks()[0].schema
        do {
            switch name.split(separator: ".").last {
            case "csv": try CSVWriter.write(schema: schema, to: path, nextChunk: next)
            case "parquet": try ParquetWriter.write(schema: schema, to: path, nextChunk: next)
            default: try ArrowIPC.write(schema: schema, to: path, nextChunk: next)
            }
            Issue.record("\(name): the mismatched chunk was written")
        } catch let error as DataFileError {
            #expect(error.file == path)
            #expect(error.message.contains("differ from the file's"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test(.enabled(if: TestSupport.pythonHas("pyarrow"), "needs a Python with pyarrow (DOPPEL_PYTHON)"))
    func pyarrowReadsStreamedFiles() throws {
        let python = try #require(TestSupport.python)
        let parquet = try Self.write("py.parquet") { path, schema, next in try ParquetWriter.write(schema: schema, to: path, nextChunk: next) }
        let arrow = try Self.write("py.arrow") { path, schema, next in try ArrowIPC.write(schema: schema, to: path, nextChunk: next) }
        let check = """
        import sys, pyarrow.parquet as pq, pyarrow.feather as feather
        for t in (pq.read_table(sys.argv[1]), feather.read_table(sys.argv[2])):
            d = t.to_pydict()
            print(t.num_rows, d['id'][1699], d['label'][1699], d['label'][7], d['score'][1699])
        """
        let (status, output) = try TestSupport.run(python, ["-c", check, parquet, arrow])
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0 == "1701 1699 label-4 None 212.375" }, "\(output)")
    }
}
