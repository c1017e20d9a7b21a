import Testing
@testable import DoppelTable

@Suite struct BufferTests {
    @Test func builderGrowsAndFinishes() {
        var b = BufferBuilder<Int64>()
        for i in 0..<1000 { b.append(Int64(i)) }
        let buffer = b.finish()
        #expect(buffer.count == 1000)
        #expect(buffer[999] == 999)
        #expect(buffer.slice(10..<13).array == [10, 11, 12])
    }

    @Test func emptyBuilderGivesEmptyBuffer() {
        let b = BufferBuilder<Double>()
        #expect(b.finish().count == 0)
    }

    @Test func sliceSharesStorage() {
        let buffer = Buffer<Int32>([1, 2, 3, 4])
        let slice = buffer.slice(1..<3)
        #expect(slice.storage === buffer.storage)
        #expect(slice.array == [2, 3])
    }
}

@Suite struct ValidityBitmapTests {
    @Test func countsNullsAndSlices() {
        var b = BitmapBuilder()
        let pattern = (0..<37).map { $0 % 3 != 0 }
        for v in pattern { b.append(v) }
        let bitmap = b.finish()!
        #expect(bitmap.nullCount == pattern.filter { !$0 }.count)
        let slice = bitmap.slice(5..<30)
        #expect(slice.nullCount == pattern[5..<30].filter { !$0 }.count)
        #expect((0..<25).map { slice.isValid($0) } == Array(pattern[5..<30]))
        let aligned = slice.aligned()
        #expect(aligned.bitOffset == 0)
        #expect((0..<25).map { aligned.isValid($0) } == Array(pattern[5..<30]))
    }

    @Test func allValidGivesNoBitmap() {
        var b = BitmapBuilder()
        b.append(true, count: 10)
        #expect(b.finish() == nil)
    }
}

@Suite struct ColumnTests {
    @Test func valuesAndMissing() {
        let c = Column.int64([1, nil, 3])
        #expect(c.type == .int64)
        #expect(c.count == 3)
        #expect(c.nullCount == 1)
        #expect(c.value(at: 0) == .int64(1))
        #expect(c.value(at: 1) == nil)
    }

    @Test func takeGathersRowsAndValidity() {
        let c = Column.string(["a", nil, "ccc", "dd"])
        let t = c.take([3, 1, 0])
        #expect((0..<3).map { t.value(at: $0) } == [.string("dd"), nil, .string("a")])
    }

    @Test func dictionaryColumnsTakeAndSlice() {
        let c = Column.dictionaryString(["x", "y", "x", nil, "z"])
        guard case .string(let s) = c, case .dictionary(_, let dictionary) = s.storage else {
            Issue.record("expected a dictionary column"); return
        }
        #expect(dictionary.count == 3)
        #expect((0..<3).map { c.slice(2..<5).value(at: $0) } == [.string("x"), nil, .string("z")])
        #expect(c.take([4, 0]).value(at: 0) == .string("z"))
    }

    @Test func concatenateMergesDictionariesAndValidity() {
        let a = Column.dictionaryString(["a", "b", nil])
        let b = Column.dictionaryString(["c", "a"])
        let c = Column.concatenate([a, b])
        #expect((0..<5).map { c.value(at: $0) } == [.string("a"), .string("b"), nil, .string("c"), .string("a")])
        guard case .string(let s) = c, case .dictionary(_, let d) = s.storage else { Issue.record("expected dictionary"); return }
        #expect(d.count == 3)
        let mixed = Column.concatenate([Column.string(["p"]), Column.dictionaryString(["q"])])
        #expect(mixed.value(at: 1) == .string("q"))
        let ints = Column.concatenate([Column.int64([1]), Column.int64([nil, 2])])
        #expect((0..<3).map { ints.value(at: $0) } == [.int64(1), nil, .int64(2)])
    }

    @Test func stringArrayCompactsSlices() {
        let array = StringArray(["alpha", "beta", "gamma"])
        let slice = array.slice(1..<3)
        let compact = slice.compacted()
        #expect(compact.offsets.array == [0, 4, 9])
        #expect(compact[1] == "gamma")
    }

    @Test func internerGivesDenseCodes() {
        var interner = StringInterner(capacity: 2)
        let words = (0..<500).map { "w\($0 % 123)" }
        let codes = words.map { interner.intern($0) }
        #expect(interner.count == 123)
        #expect(codes[0] == codes[123])
        let dictionary = interner.finish()
        #expect(dictionary[Int(codes[7])] == "w7")
    }
}

@Suite struct TableTests {
    @Test func shapeIsValidated() {
        #expect(throws: Table.ShapeError.lengthMismatch(column: "b", expected: 2, actual: 1)) {
            try Table([("a", .int64([1, 2])), ("b", .int64([1]))])
        }
        #expect(throws: Table.ShapeError.duplicateName("a")) {
            try Table([("a", .int64([1])), ("a", .int64([1]))])
        }
    }

    @Test func emptyTableKeepsTheSchema() {
        let schema = Schema([Field("a", .int64), Field("b", .string), Field("c", .date)])
        let table = Table(emptyWith: schema)
        #expect(table.rowCount == 0)
        #expect(table.schema == schema)
        #expect(table.columns.map(\.type) == [.int64, .string, .date])
    }

    @Test func sliceTakeSelect() throws {
        let t = try Table([("id", .int64([1, 2, 3])), ("name", .string(["a", "b", nil]))])
        #expect(t.slice(1..<3).row(0) == [.int64(2), .string("b")])
        #expect(t.take([2, 0]).row(0) == [.int64(3), nil])
        #expect(t.selecting(["name"])?.schema.names == ["name"])
        #expect(t.selecting(["nope"]) == nil)
        #expect(t.dropping(["id"]).schema.names == ["name"])
    }
}

@Suite struct TemporalFormatTests {
    @Test(arguments: [(1970, 1, 1, 0), (2000, 2, 29, 11016), (1969, 12, 31, -1), (1600, 3, 1, -135_080), (2100, 12, 31, 47_846)])
    func civilRoundTrip(year: Int, month: Int, day: Int, days: Int) {
        #expect(TemporalFormat.daysFromCivil(year: year, month: month, day: day) == days)
        let back = TemporalFormat.civilFromDays(days)
        #expect(back.year == year && back.month == month && back.day == day)
    }

    @Test func formatting() {
        #expect(TemporalFormat.formatDate(days: 0) == "1970-01-01")
        #expect(TemporalFormat.formatTimestamp(micros: 1_500_000) == "1970-01-01 00:00:01.5")
        #expect(TemporalFormat.formatTimestamp(micros: -1) == "1969-12-31 23:59:59.999999")
        #expect(TemporalFormat.formatTimestamp(micros: 86_400_000_000 * 365) == "1971-01-01 00:00:00")
    }
}

@Suite struct DictionaryCompactionTests {
    @Test func keepsOnlyUsedStringsAndValues() throws {
        let column = Column.dictionaryString(["a", "b", "c", nil, "d"]).take([2, 3, 0, 2])
        guard case .string(let s) = column else { Issue.record("expected strings"); return }
        let compact = s.compactingDictionary()
        guard case .dictionary(_, let dictionary) = compact.storage else { Issue.record("expected dictionary"); return }
        #expect(dictionary.count == 2)
        #expect((0..<4).map { compact[$0] } == ["c", nil, "a", "c"])
        let table = try Table([("x", column)]).compactingDictionaries()
        #expect(table.row(2) == [.string("a")])
    }
}
