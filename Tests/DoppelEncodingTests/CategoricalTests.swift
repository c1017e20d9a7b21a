import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelEncoding

@Suite struct CategoricalTests {
    /// 30 subjects hold "common", 3 subjects hold "rare" with 10 rows each (30 rows, 3 subjects).
    func canaryColumn() -> (Column, SubjectIDs) {
        var values: [String?] = [], keys: [Int64] = []
        for s in 0..<30 { values.append("common"); keys.append(Int64(s)) }
        for s in 100..<103 { for _ in 0..<10 { values.append("canary-rare"); keys.append(Int64(s)) } }
        values.append(nil); keys.append(200)
        return (.string(values), .keys(Buffer(keys)))
    }

    @Test func rareValueHeldByFewSubjectsIsProtectedEvenWithManyRows() throws {
        let (column, subjects) = canaryColumn()
        let partial = try CategoricalPartial(column: column, subjects: subjects, name: "c")
        #expect(partial.values["canary-rare"]?.rows == 30)
        #expect(partial.values["canary-rare"]?.distinctSubjects == 3)
        for seed in 0..<20 {
            let stats = partial.finalize(FinalizeContext(seed: UInt64(seed), column: "c"))
            #expect(stats.categories == ["common"])
            #expect(stats.rareCategoryCount == 1)
        }
        let open = partial.finalize(FinalizeContext(seed: 1, column: "c", protection: .off))
        #expect(open.categories == ["canary-rare", "common"])
    }

    @Test func roundTripKeepsValuesAndMissing() throws {
        let column = Column.string((0..<40).map { $0 % 10 == 9 ? nil : ["a", "b", "_RARE_"][$0 % 3] })
        let partial = try CategoricalPartial(column: column, subjects: .rows(first: 0), name: "c")
        let stats = partial.finalize(FinalizeContext(seed: 3, column: "c"))
        #expect(stats.subColumns == [SubColumnSpec("cat", 5)])
        let codes = try stats.encode(column, name: "c")
        let back = try stats.decode(codes, name: "c")
        for row in 0..<column.count { #expect(back.value(at: row) == column.value(at: row)) }
    }

    @Test func boolAndIntegerColumnsDecodeToTheirType() throws {
        for column in [Column.bool((0..<30).map { $0 % 7 == 0 ? nil : $0 % 2 == 0 }), .int64((0..<30).map { Int64($0 % 3) - 1 })] {
            let stats = try CategoricalPartial(column: column, subjects: .rows(first: 0), name: "c").finalize(FinalizeContext(seed: 1, column: "c"))
            let back = try stats.decode(try stats.encode(column, name: "c"), name: "c")
            #expect(back.type == column.type)
            for row in 0..<column.count { #expect(back.value(at: row) == column.value(at: row)) }
        }
    }

    @Test func mergeGroupingDoesNotChangeFinalStats() throws {
        let values: [String?] = (0..<300).map { "v\($0 % 17 * $0 % 11)" }
        let column = Column.dictionaryString(values)
        let parts = stride(from: 0, to: 300, by: 50).map { start in
            try! CategoricalPartial(column: column.slice(start..<start + 50), subjects: .rows(first: Int64(start)), name: "c")
        }
        var left = parts[0]
        for p in parts.dropFirst() { try left.merge(p) }
        var right = parts[5]
        for p in parts[0..<5].reversed() { var q = p; try q.merge(right); right = q }
        let whole = try CategoricalPartial(column: column, subjects: .rows(first: 0), name: "c")
        #expect(left == whole)
        #expect(right == whole)
        let ctx = FinalizeContext(seed: 9, column: "c", protection: ValueProtection(dpEpsilon: 1))
        #expect(left.finalize(ctx) == right.finalize(ctx))
    }

    @Test func emptyAndAllMissingColumns() throws {
        let empty = try CategoricalPartial(column: .string([]), subjects: .rows(first: 0), name: "c").finalize(FinalizeContext(seed: 1, column: "c"))
        #expect(empty.subColumns == [SubColumnSpec("cat", 1)])
        let missing = Column.string([nil, nil, nil])
        let stats = try CategoricalPartial(column: missing, subjects: .rows(first: 0), name: "c").finalize(FinalizeContext(seed: 1, column: "c"))
        #expect(stats.hasNull && stats.categories.isEmpty)
        let back = try stats.decode(try stats.encode(missing, name: "c"), name: "c")
        #expect(back.nullCount == 3)
        let one = try CategoricalPartial(column: .string(["x"]), subjects: .rows(first: 0), name: "c").finalize(FinalizeContext(seed: 1, column: "c"))
        #expect(one.categories.isEmpty)
    }

    @Test func wrongSubjectKeyLengthIsAnError() {
        #expect(throws: EncodingError.self) {
            _ = try CategoricalPartial(column: .string(["a", "b"]), subjects: .keys(Buffer([1])), name: "c")
        }
    }
}

@Suite struct CategoricalUnicodeTests {
    @Test func canonicallyEquivalentSpellingsAreOneCategory() throws {
        let values: [String?] = (0..<20).map { $0 % 2 == 0 ? "caf\u{E9}" : "cafe\u{301}" }
        let partial = try CategoricalPartial(column: .string(values), subjects: .rows(first: 0), name: "c")
        #expect(partial.values.count == 1)
        #expect(partial.values.values.first?.rows == 20)
    }
}

@Suite struct SubjectCountingTests {
    /// Contiguous runs (fast path, including runs with many distinct values) and interleaved
    /// subjects (set of pairs) count the same distinct subjects.
    @Test func contiguousAndInterleavedSubjectsAgree() throws {
        var values: [String?] = [], keys: [Int64] = []
        for s in 0..<30 { for r in 0..<40 { values.append("v\((s + r) % 25)"); keys.append(Int64(s)) } }
        let contiguous = try CategoricalPartial(column: .string(values), subjects: .keys(Buffer(keys)), name: "c")
        var random = SeededRandom(seed: 1)
        let order = random.permutation(values.count)
        let interleavedKeys = order.map { keys[$0] }
        #expect(!SubjectIDs.keys(Buffer(interleavedKeys)).runsAreContiguous(rowCount: order.count))
        let interleaved = try CategoricalPartial(column: .string(order.map { values[$0] }), subjects: .keys(Buffer(interleavedKeys)), name: "c")
        #expect(contiguous == interleaved)
        #expect(contiguous.values["v0"]?.subjects == 30 && contiguous.values["v0"]?.rows == 46)
    }
}
