import Testing
@testable import DoppelTable

@Suite struct NarrowIntegerTests {
    static func table() throws -> Table {
        try Table([
            ("a", .int8([-128, nil, 3, 127])),
            ("b", .int16([nil, -300, 32_767, 0])),
            ("c", .int32([Int32.min, 5, nil, Int32.max])),
            ("d", .string(["w", "x", "y", "z"])),
        ])
    }

    @Test func typesWidthsAndValues() throws {
        let t = try Self.table()
        #expect(t.schema.fields.map(\.type) == [.int8, .int16, .int32, .string])
        #expect([DataType.int8, .int16, .int32, .int64].map(\.integerBitWidth) == [8, 16, 32, 64])
        #expect([DataType.int8, .int16, .int32, .int64].allSatisfy { $0.isInteger && $0.isNumeric })
        #expect(!DataType.float64.isInteger && DataType.float64.integerBitWidth == 0)
        #expect(t.row(0) == [.int64(-128), nil, .int64(Int64(Int32.min)), .string("w")])
        #expect(t.columns.map(\.nullCount) == [1, 1, 1, 0])
    }

    @Test func sliceTakeConcatenateAndEmpty() throws {
        let t = try Self.table()
        #expect(t.slice(1..<3).row(1) == [.int64(3), .int64(32_767), nil, .string("y")])
        #expect(t.slice(1..<3).columns.map(\.type) == [.int8, .int16, .int32, .string])
        #expect(t.take([3, 0]).row(0) == [.int64(127), .int64(0), .int64(Int64(Int32.max)), .string("z")])
        #expect(t.take([3, 0]).columns.map(\.type) == [.int8, .int16, .int32, .string])
        let joined = Column.concatenate([t.columns[1], t.columns[1].slice(0..<2)])
        #expect(joined.type == .int16)
        #expect((0..<joined.count).map { joined.value(at: $0) } == [nil, .int64(-300), .int64(32_767), .int64(0), nil, .int64(-300)])
        let empty = Table(emptyWith: t.schema)
        #expect(empty.rowCount == 0 && empty.columns.map(\.type) == [.int8, .int16, .int32, .string])
    }

    @Test func wideningGivesInt64WithTheSameValuesAndValidity() throws {
        let t = try Self.table()
        let wide = t.widenedToInt64()
        #expect(wide.schema.fields.map(\.type) == [.int64, .int64, .int64, .string])
        #expect(wide.schema.names == t.schema.names)
        for row in 0..<t.rowCount { #expect(wide.row(row) == t.row(row)) }
        guard case .int64(let c) = wide.columns[0] else { Issue.record("a is not int64"); return }
        #expect(c.values.array == [-128, 0, 3, 127])
        #expect(c.nullCount == 1)
        // Tables without narrow columns come back as they are (same buffers).
        let plain = try Table([("x", .int64([1, 2]))])
        guard case .int64(let before) = plain.columns[0], case .int64(let after) = plain.widenedToInt64().columns[0] else {
            Issue.record("x is not int64"); return
        }
        #expect(before.values.storage === after.values.storage)
    }
}
