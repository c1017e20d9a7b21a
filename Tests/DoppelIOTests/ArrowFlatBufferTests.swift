import Testing
@testable import DoppelIO

/// The FlatBuffers encoder and the bounds-checked reader used for Arrow metadata.
@Suite struct ArrowFlatBufferTests {
    static func withView<R>(_ bytes: [UInt8], _ body: (FlatBufferView) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(FlatBufferView(bytes: $0)) }
    }

    static func expectMalformed(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation, _ read: (FlatBufferView) throws -> Void) {
        bytes.withUnsafeBytes { raw in
            _ = #expect(throws: ArrowFormatError.self, sourceLocation: sourceLocation) { try read(FlatBufferView(bytes: raw)) }
        }
    }

    @Test func scalarsStringsTablesAndVectorsRoundTrip() throws {
        var child = FlatTable()
        child.set(0, int32: -7)
        var other = FlatTable()
        other.set(1, .string("second"))
        var root = FlatTable()
        root.set(0, int8: 200)
        root.set(1, bool: true)
        root.set(2, int16: -12_345)
        root.set(4, int64: Int64.min + 1)
        root.set(5, .string("héllo"))
        root.set(6, .table(child))
        root.set(7, .tables([child, other]))
        root.set(8, .structs(bytes: (0..<16).map { UInt8($0) }, count: 2, alignment: 8))
        let bytes = FlatBufferBuilder.serialize(root)
        #expect(bytes.count % 8 == 0)
        try ArrowFlatBufferTests.withView(bytes) { view in
            let table = try view.root()
            #expect(try table.uint8(0) == 200)
            #expect(try table.bool(1))
            #expect(try table.int16(2) == -12_345)
            #expect(try table.int32(3, default: 99) == 99)  // absent: default
            #expect(try table.int64(4) == Int64.min + 1)
            #expect(try table.string(5) == "héllo")
            #expect(try table.table(6)?.int32(0) == -7)
            #expect(try table.table(42) == nil)
            let tables = try #require(try table.vector(7, elementSize: 4))
            #expect(tables.count == 2)
            #expect(try tables.table(0).int32(0) == -7)
            #expect(try tables.table(1).string(1) == "second")
            let structs = try #require(try table.vector(8, elementSize: 8))
            #expect(structs.count == 2)
            #expect(structs.start % 8 == 0)
            #expect(try structs.load(UInt64.self, element: 1, byteOffset: 0) == 0x0F0E_0D0C_0B0A_0908)
        }
    }

    @Test func eightByteFieldsAreAligned() throws {
        var root = FlatTable()
        root.set(0, int8: 1)
        root.set(1, int64: 0x0102_0304_0506_0708)
        root.set(2, int32: 3)
        let bytes = FlatBufferBuilder.serialize(root)
        try ArrowFlatBufferTests.withView(bytes) { view in
            let table = try view.root()
            // Field 1's position: table start + its vtable entry.
            let entry = Int(try view.load(UInt16.self, at: table.vtable + 4 + 2 * 1))
            #expect((table.position + entry) % 8 == 0)
            #expect(try table.int64(1) == 0x0102_0304_0506_0708)
        }
    }

    @Test func malformedBuffersThrow() throws {
        var root = FlatTable()
        root.set(0, .string("text"))
        var bytes = FlatBufferBuilder.serialize(root)
        // Root offset past the end.
        var broken = bytes
        broken[0] = 0xF0
        ArrowFlatBufferTests.expectMalformed(broken) { view in _ = try view.root() }
        // A string length far beyond the buffer.
        let stringPosition = try ArrowFlatBufferTests.withView(bytes) { view -> Int in
            let table = try view.root()
            let entry = Int(try view.load(UInt16.self, at: table.vtable + 4))
            return try view.follow(at: table.position + entry)
        }
        bytes[stringPosition + 3] = 0x7F
        ArrowFlatBufferTests.expectMalformed(bytes) { view in _ = try view.root().string(0) }
        // Too short to hold even the root offset.
        ArrowFlatBufferTests.expectMalformed([1, 0]) { view in _ = try view.root() }
    }
}
