import Foundation
import Testing
@testable import DoppelIO
import DoppelTestSupport

@Suite struct ArrowRoundTripTests {
    @Test func everyTypeWithMissingValuesRoundTrips() throws {
        let table = try ArrowTestTables.allTypes()
        let path = try ArrowTestTables.temporaryPath()
        try ArrowIPC.write(table, to: path)
        ArrowTestTables.expectEqual(try ArrowIPC.read(path: path), table)
    }

    @Test func columnsWithOnlyMissingValuesRoundTrip() throws {
        let table = try ArrowTestTables.allMissing()
        let path = try ArrowTestTables.temporaryPath()
        try ArrowIPC.write(table, to: path)
        let read = try ArrowIPC.read(path: path)
        #expect(read.schema == table.schema)
        #expect(read.columns.allSatisfy { $0.nullCount == 3 })
        #expect((0..<3).allSatisfy { row in read.row(row).allSatisfy { $0 == nil } })
    }

    @Test func tablesWithoutMissingValuesHaveNoValidity() throws {
        let table = try Table([("a", .int64([1, 2, 3])), ("s", .string(["x", "y", "z"])), ("b", .bool([true, false, true]))])
        let path = try ArrowTestTables.temporaryPath()
        try ArrowIPC.write(table, to: path)
        let read = try ArrowIPC.read(path: path)
        ArrowTestTables.expectEqual(read, table)
        #expect(read.columns.allSatisfy { $0.validity == nil })
    }

    @Test func slicesAreWrittenFromTheirFirstRow() throws {
        let table = try ArrowTestTables.allTypes()
        // Bit offsets that are not multiples of 8, string offsets that do not start at 0.
        for range in [1..<6, 3..<4, 2..<7, 0..<0] {
            let slice = table.slice(range)
            let path = try ArrowTestTables.temporaryPath()
            try ArrowIPC.write(slice, to: path)
            ArrowTestTables.expectEqual(try ArrowIPC.read(path: path), slice)
        }
    }

    @Test func longColumnsWithNullsAtEveryBitPosition() throws {
        let n = 1_000
        let ints = (0..<n).map { $0 % 7 == 3 ? nil : Int64($0 * $0) }
        let flags = (0..<n).map { $0 % 5 == 1 ? nil : ($0 % 3 == 0) }
        let words = (0..<n).map { $0 % 11 == 0 ? nil : "w\($0 % 13)" }
        let table = try Table([("i", .int64(ints)), ("f", .bool(flags)), ("s", .string(words)), ("d", .dictionaryString(words))])
        for range in [0..<n, 13..<997] {
            let path = try ArrowTestTables.temporaryPath()
            try ArrowIPC.write(table.slice(range), to: path)
            ArrowTestTables.expectEqual(try ArrowIPC.read(path: path), table.slice(range))
        }
    }

    @Test func aSliceIsWrittenLikeAnEqualFreshTable() throws {
        let n = 200
        let ints = (0..<n).map { $0 % 7 == 3 ? nil : Int64($0) }
        let flags = (0..<n).map { $0 % 5 == 1 ? nil : ($0 % 3 == 0) }
        let words = (0..<n).map { $0 % 11 == 0 ? nil : "w\($0 % 13)" }
        let table = try Table([("i", .int64(ints)), ("f", .bool(flags)), ("s", .string(words))])
        let range = 13..<190
        let fresh = try Table([("i", .int64(Array(ints[range]))), ("f", .bool(Array(flags[range]))), ("s", .string(Array(words[range])))])
        let a = try ArrowTestTables.temporaryPath(), b = try ArrowTestTables.temporaryPath()
        try ArrowIPC.write(table.slice(range), to: a)
        try ArrowIPC.write(fresh, to: b)
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
    }

    @Test func dictionaryColumnsStayDictionaryEncoded() throws {
        let table = try Table([("c", .dictionaryString(["x", "y", "x", nil, "z", "x"]))])
        let path = try ArrowTestTables.temporaryPath()
        try ArrowIPC.write(table, to: path)
        let read = try ArrowIPC.read(path: path)
        ArrowTestTables.expectEqual(read, table)
        guard case .string(let c) = read.columns[0], case .dictionary(let codes, let dictionary) = c.storage else {
            Issue.record("expected a dictionary column")
            return
        }
        #expect(codes.array == [0, 1, 0, 0, 2, 0])
        #expect((0..<dictionary.count).map { dictionary[$0] } == ["x", "y", "z"])
    }

    @Test func emptyTablesKeepTheirSchema() throws {
        let empty = try ArrowTestTables.allTypes().slice(0..<0)
        let path = try ArrowTestTables.temporaryPath()
        try ArrowIPC.write(empty, to: path)
        let read = try ArrowIPC.read(path: path)
        #expect(read.rowCount == 0)
        #expect(read.schema == empty.schema)
    }

    @Test func tablesWithoutColumnsKeepTheirRowCount() throws {
        for rows in [0, 5] {
            let path = try ArrowTestTables.temporaryPath()
            try ArrowIPC.write(Table(emptyWithRowCount: rows), to: path)
            let read = try ArrowIPC.read(path: path)
            #expect(read.columnCount == 0)
            #expect(read.rowCount == rows)
        }
    }

    @Test func metadataIsStoredInTheSchema() throws {
        let metadata = ["doppel.version": "1", "partition": "part-000001-trn", "empty": "", "ünï": "cødé"]
        let path = try ArrowTestTables.temporaryPath()
        try ArrowIPC.write(try ArrowTestTables.allTypes(), to: path, metadata: metadata)
        #expect(try ArrowIPC.readMetadata(path: path) == metadata)
        let plain = try ArrowTestTables.temporaryPath()
        try ArrowIPC.write(try ArrowTestTables.allTypes(), to: plain)
        #expect(try ArrowIPC.readMetadata(path: plain) == [:])
    }

    @Test func fixedWidthColumnsPointIntoTheMapping() throws {
        let table = try Table([("i", .int64([1, 2, 3, nil])), ("s", .string(["a", "bc", "", "d"])), ("x", .float64([1, 2, 3, 4]))])
        let path = try ArrowTestTables.temporaryPath()
        try ArrowIPC.write(table, to: path)
        let read = try ArrowIPC.read(path: path)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        guard case .int64(let ints) = read.columns[0], case .string(let strings) = read.columns[1],
              case .plain(let array) = strings.storage, case .float64(let floats) = read.columns[2] else {
            Issue.record("unexpected column kinds")
            return
        }
        let storage = ints.values.storage
        #expect(storage.byteCount == size)
        let mapping = UInt(bitPattern: storage.baseAddress)..<(UInt(bitPattern: storage.baseAddress) + UInt(size))
        for pointer in [ints.values.rawBytes.baseAddress, floats.values.rawBytes.baseAddress, array.offsets.rawBytes.baseAddress, array.bytes.rawBytes.baseAddress] {
            #expect(mapping.contains(UInt(bitPattern: pointer)))
        }
        #expect(floats.values.storage === storage && array.bytes.storage === storage)
        // Buffers start on 64-byte boundaries.
        #expect(UInt(bitPattern: ints.values.rawBytes.baseAddress) % 64 == 0)
    }

    @Test func sameTableGivesSameBytes() throws {
        let table = try ArrowTestTables.allTypes()
        let a = try ArrowTestTables.temporaryPath(), b = try ArrowTestTables.temporaryPath()
        try ArrowIPC.write(table, to: a, metadata: ["k": "v", "a": "b"])
        try ArrowIPC.write(table, to: b, metadata: ["a": "b", "k": "v"])
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
    }
}
