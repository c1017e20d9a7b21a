import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelEncoding

@Suite struct NumericTests {
    func finalize(_ column: Column, _ type: EncodingType, protection: ValueProtection = .on, seed: UInt64 = 1) throws -> NumericStats {
        try NumericPartial(column: column, subjects: .rows(first: 0), declared: type, name: "x").finalize(FinalizeContext(seed: seed, column: "x", protection: protection))
    }

    @Test func autoPicksDiscreteForFewValues() throws {
        let column = Column.int64((0..<500).map { Int64(17 + $0 % 10) })
        guard case .discrete(let s) = try finalize(column, .numericAuto) else { Issue.record("not discrete"); return }
        #expect(s.values == (17...26).map(String.init))
        #expect(s.valueProtection)
        var random = SeededRandom(seed: 1)
        let back = try s.decode(try s.encode(column, name: "x"), name: "x", random: &random)
        for row in 0..<column.count { #expect(back.value(at: row) == column.value(at: row)) }
    }

    @Test func autoPicksDigitForFewPositionsAndBinnedOtherwise() throws {
        var random = SeededRandom(seed: 2)
        let ints = Column.int64((0..<1000).map { _ in Int64(random.uniform(below: 999)) })
        #expect(try finalize(ints, .numericAuto).encodingType == .numericDigit)
        let floats = Column.float64((0..<1000).map { _ in random.nextDouble() * 1000 })
        #expect(try finalize(floats, .numericAuto).encodingType == .numericBinned)
    }

    @Test func digitRoundTripWithinBounds() throws {
        let values: [Double?] = (0..<400).map { (i: Int) -> Double? in
            let x: Double = (Double(i) - 200) * 1.25 + 0.01
            return i % 13 == 0 ? nil : x
        }
        let column = Column.float64(values)
        guard case .digit(let s) = try finalize(column, .numericDigit, protection: .off) else { Issue.record("not digit"); return }
        #expect(s.minDecimal == -2 && s.maxDecimal == 2)
        #expect(s.subColumns.map(\.name) == ["nan", "neg", "E2", "E1", "E0", "E-1", "E-2"])
        var random = SeededRandom(seed: 3)
        let back = try s.decode(try s.encode(column, name: "x", random: &random), name: "x")
        for row in 0..<column.count { #expect(back.value(at: row) == column.value(at: row)) }
    }

    @Test func digitRoundTripInt64Extremes() throws {
        let values: [Int64?] = [Int64.max, Int64.min + 1, 0, nil, 42, -42] + (0..<30).map { Int64($0) * 1_000_000_007 }
        let column = Column.int64(values)
        guard case .digit(let s) = try finalize(column, .numericDigit, protection: .off) else { Issue.record("not digit"); return }
        #expect(s.maxDecimal == 18)
        var random = SeededRandom(seed: 3)
        let back = try s.decode(try s.encode(column, name: "x", random: &random), name: "x")
        for row in 0..<column.count { #expect(back.value(at: row) == column.value(at: row)) }
    }

    /// Integers beyond 2^53 keep exact identities as discrete values (no trip through Double).
    @Test func autoOnHugeIntegersIsExact() throws {
        let base = Int64.max - 10
        let column = Column.int64((0..<200).map { base + Int64($0 % 4) })
        guard case .discrete(let s) = try finalize(column, .numericAuto) else { Issue.record("not discrete"); return }
        #expect(s.values == (0..<4).map { String(base + Int64($0)) })
        var random = SeededRandom(seed: 1)
        let back = try s.decode(try s.encode(column, name: "x"), name: "x", random: &random)
        for row in 0..<column.count { #expect(back.value(at: row) == column.value(at: row)) }
    }

    @Test func digitBeyondRangeIsAClearError() throws {
        let column = Column.float64((0..<500).map { Double($0) * 1e20 })
        #expect(throws: EncodingError.self) { _ = try finalize(column, .numericDigit, protection: .off) }
        // AUTO falls back to binned.
        #expect(try finalize(column, .numericAuto, protection: .off).encodingType == .numericBinned)
    }

    @Test func binnedRoundTripStaysInBinsAndBounds() throws {
        var random = SeededRandom(seed: 4)
        let column = Column.float64((0..<2000).map { $0 % 50 == 0 ? nil : random.nextGaussian() * 10 + 100 })
        guard case .binned(let s) = try finalize(column, .numericBinned) else { Issue.record("not binned"); return }
        #expect(s.edges.count == 101)
        let codes = try s.encode(column, name: "x")
        let back = try s.decode(codes, name: "x", random: &random)
        let bin = codes["bin"]!
        for row in 0..<column.count {
            guard case .float64(let v)? = column.value(at: row) else { #expect(back.value(at: row) == nil); continue }
            guard case .float64(let w)? = back.value(at: row) else { Issue.record("missing at \(row)"); continue }
            #expect(w >= s.min! && w <= s.max!)
            let c = bin[row]
            if c >= s.firstBinCode {
                let k = Int(c - s.firstBinCode)
                #expect(w >= s.edges[k] && w <= s.edges[k + 1])
                if v > s.min! && v < s.max! { #expect(v >= s.edges[k] && (v < s.edges[k + 1])) }
            }
        }
    }

    /// Extremes held by fewer than 5 subjects never show up as bounds; under 20 subjects all
    /// values are withheld.
    @Test func extremesAreProtectedPerSubject() throws {
        // 40 subjects with values 100...139 (3 rows each) and 3 subjects with a canary 1e6 (10 rows each).
        var values: [Double?] = [], keys: [Int64] = []
        for s in 0..<40 { for _ in 0..<3 { values.append(Double(100 + s)); keys.append(Int64(s)) } }
        for s in 50..<53 { for _ in 0..<10 { values.append(1_000_000); keys.append(Int64(s)) } }
        let column = Column.float64(values)
        let partial = try NumericPartial(column: column, subjects: .keys(Buffer(keys)), declared: .numericBinned, name: "x")
        for seed in 0..<10 {
            guard case .binned(let s) = try partial.finalize(FinalizeContext(seed: UInt64(seed), column: "x")) else { return }
            #expect(s.max! < 1_000_000 && s.max! >= 130)
            #expect(s.min! >= 105 && s.min! <= 107)
            #expect(s.edges.allSatisfy { $0 < 1_000_000 })
        }
        let few = Column.float64((0..<19).map { Double($0) })
        guard case .digit(let s) = try finalize(few, .numericDigit) else { return }
        #expect(s.min == nil && s.max == nil)
        var random = SeededRandom(seed: 1)
        #expect(try s.decode(try s.encode(few, name: "x", random: &random), name: "x").nullCount == 19)
    }

    /// The precision a column needs is protected: two subjects with five decimals among integers
    /// do not add fraction digits; round thousands use one digit position.
    @Test func digitPrecisionIsProtected() throws {
        let column = Column.float64((0..<100).map { Double($0 % 50) } + [1.23456, 2.34567])
        guard case .digit(let s) = try finalize(column, .numericDigit) else { Issue.record("not digit"); return }
        #expect(s.minDecimal == 0)
        #expect(s.minDigits.allSatisfy { $0 == 0 })
        guard case .digit(let open) = try finalize(column, .numericDigit, protection: .off) else { return }
        #expect(open.minDecimal == -5)
        // 300 distinct multiples of 1000 (not discrete): positions E5…E3 are used, E2…E0 hold 0.
        let thousands = Column.int64((0..<300).map { Int64(1 + $0) * 1000 })
        guard case .digit(let t) = try finalize(thousands, .numericAuto) else { Issue.record("thousands not digit"); return }
        #expect(t.maxDecimal == 5 && t.minDecimal == 0)
        #expect(t.subColumns.map(\.cardinality) == [3, 10, 10, 1, 1, 1])
    }

    @Test func badInputs() throws {
        // All missing, zero rows, one row: sensible stats and all-missing decode.
        for column in [Column.float64([nil, nil]), .float64([]), .float64([3.5])] {
            for type in [EncodingType.numericAuto, .numericDigit, .numericBinned] {
                let stats = try finalize(column, type)
                var random = SeededRandom(seed: 1)
                switch stats {
                case .digit(let s): #expect(try s.decode(try s.encode(column, name: "x", random: &random), name: "x").count == column.count)
                case .binned(let s): #expect(try s.decode(try s.encode(column, name: "x"), name: "x", random: &random).count == column.count)
                case .discrete(let s): #expect(try s.decode(try s.encode(column, name: "x"), name: "x", random: &random).count == column.count)
                }
            }
        }
        // Text mixing numbers and words: numbers parsed, words counted as unparsed.
        let mixed = Column.string(["1.5", "abc", "2", nil, " 3 "])
        let partial = try NumericPartial(column: mixed, subjects: .rows(first: 0), declared: .numericAuto, name: "x")
        #expect(partial.unparsed == 1 && partial.values == 3 && partial.nulls == 2)
        // Huge, denormal, infinite values.
        let odd = Column.float64([1e20, -1e20, Double.leastNonzeroMagnitude, .infinity, -.nan, 0] + (0..<30).map { Double($0) })
        let p2 = try NumericPartial(column: odd, subjects: .rows(first: 0), declared: .numericAuto, name: "x")
        #expect(p2.outOfDigitRange == 2 && p2.nulls == 2)
        // Dates cannot be numeric.
        #expect(throws: EncodingError.self) { _ = try NumericPartial(column: .date([1]), subjects: .rows(first: 0), declared: .numericAuto, name: "x") }
    }

    @Test func mergeGroupingDoesNotChangeFinalStats() throws {
        var random = SeededRandom(seed: 8)
        let column = Column.float64((0..<3000).map { _ in (random.nextGaussian() * 1000).rounded() / 10 })
        let keys = Buffer((0..<3000).map { Int64($0 / 3) })
        for type in [EncodingType.numericAuto, .numericBinned, .numericDigit] {
            let parts = stride(from: 0, to: 3000, by: 300).map { start in
                try! NumericPartial(column: column.slice(start..<start + 300), subjects: .keys(keys.slice(start..<start + 300)), declared: type, name: "x")
            }
            var left = parts[0]
            for p in parts.dropFirst() { try left.merge(p) }
            var pairs: [NumericPartial] = []
            for i in stride(from: 0, to: parts.count, by: 2) { var a = parts[i + 1]; try a.merge(parts[i]); pairs.append(a) }
            var right = pairs.removeLast()
            for p in pairs { try right.merge(p) }
            let whole = try NumericPartial(column: column, subjects: .keys(keys), declared: type, name: "x")
            #expect(left == whole && right == whole)
            for protection in [ValueProtection.on, ValueProtection(dpEpsilon: 1)] {
                let ctx = FinalizeContext(seed: 5, column: "x", protection: protection)
                #expect(try left.finalize(ctx) == right.finalize(ctx))
            }
        }
    }
}

@Suite struct NumericSourceTypeTests {
    @Test func boolAndTextColumnsDecodeToTheirType() throws {
        let bools = Column.bool((0..<60).map { $0 % 9 == 0 ? nil : $0 % 2 == 0 })
        let text = Column.string((0..<60).map { String($0 % 7) })
        for (column, type) in [(bools, EncodingType.numericDigit), (bools, .numericDiscrete), (text, .numericDigit), (text, .numericBinned)] {
            let stats = try PartialStats.analyze(column, as: type, subjects: .rows(first: 0), name: "x")
                .finalize(FinalizeContext(seed: 1, column: "x", protection: .off))
            var random = SeededRandom(seed: 1)
            let back = try stats.decode(try stats.encode(column, subjects: .rows(first: 0), name: "x", random: &random), subjects: .rows(first: 0), name: "x", random: &random)
            #expect(back.type == column.type)
            if type != .numericBinned { for row in 0..<column.count { #expect(back.value(at: row) == column.value(at: row)) } }
        }
    }

    @Test func budgetSplitFollowsTheReference() {
        let b = PrivacyBudget(total: 1, targetColumns: 3, contextColumns: 4)
        #expect(abs(b.target - 0.5) < 1e-12 && abs(b.context - 0.5) < 1e-12)
        #expect(abs(b.perTargetColumn - 0.125) < 1e-12 && abs(b.perContextColumn - 0.125) < 1e-12)
    }
}
