import Testing
@testable import DoppelIO

@Suite struct CSVColumnJoining {
    @Test func validityWriterPacksOddRuns() {
        var expected: [Bool] = []
        var writer = ValidityWriter()
        var rng = SplitMix(seed: 3)
        for run in [1, 63, 64, 65, 7, 128, 3, 200] {
            var bits: UInt64 = 0
            var chunk = run
            while chunk > 0 {
                let n = min(64, chunk)
                bits = rng.next() & (n == 64 ? ~0 : (1 << UInt64(n)) - 1)
                writer.append(bits: bits, count: n)
                for k in 0..<n { expected.append(bits >> UInt64(k) & 1 == 1) }
                chunk -= n
            }
            writer.append(false)
            expected.append(false)
        }
        let bitmap = writer.finish()
        #expect(bitmap?.count == expected.count)
        #expect(bitmap?.nullCount == expected.filter { !$0 }.count)
        #expect((0..<expected.count).allSatisfy { bitmap?.isValid($0) == expected[$0] })
    }

    @Test func joinsPrimitiveAndStringParts() throws {
        let ints = CSVColumnMerge.concatenate([.int64([1, nil]), .int64([3]), .int64([nil, nil, 6])])
        #expect((0..<ints.count).map { ints.value(at: $0) } == [.int64(1), nil, .int64(3), nil, nil, .int64(6)])

        let dictionaries = CSVColumnMerge.concatenate([.dictionaryString(["a", "b", nil]), .dictionaryString(["b", "c"])])
        #expect((0..<5).map { dictionaries.value(at: $0) } == [.string("a"), .string("b"), nil, .string("b"), .string("c")])
        if case .string(let s) = dictionaries, case .dictionary(_, let d) = s.storage { #expect(d.count == 3) } else { Issue.record("expected a dictionary") }

        let plainSlice = Column.string(["skip", "x", "é", nil]).slice(1..<4)
        let mixed = CSVColumnMerge.concatenate([.dictionaryString(["a", nil]), plainSlice, .string([""])])
        #expect((0..<6).map { mixed.value(at: $0) } == [.string("a"), nil, .string("x"), .string("é"), nil, .string("")])
        if case .string(let s) = mixed, case .plain = s.storage {} else { Issue.record("a mix of storages joins as plain") }
    }
}
