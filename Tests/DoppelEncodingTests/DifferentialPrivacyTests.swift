import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelEncoding

@Suite struct DifferentialPrivacyTests {
    @Test func logHistogramBinsMatchTheReference() {
        #expect(DifferentialPrivacy.logBin(0) == 64)
        #expect(DifferentialPrivacy.logBin(0.5) == 64)
        #expect(DifferentialPrivacy.logBin(1) == 65)
        #expect(DifferentialPrivacy.logBin(3) == 66)
        #expect(DifferentialPrivacy.logBin(-0.5) == 63)
        #expect(DifferentialPrivacy.logBin(-1) == 62)
        #expect(DifferentialPrivacy.logBin(1e30) == 127)
        #expect(DifferentialPrivacy.logBinRange(66) == (2, 4))
        #expect(DifferentialPrivacy.logBinRange(62) == (-2, -1))
    }

    @Test func laplaceNoiseHasTheRightScale() {
        var random = SeededRandom(seed: 1)
        let draws = (0..<20_000).map { _ in DifferentialPrivacy.laplace(scale: 2, random: &random) }
        let meanAbs = draws.map(abs).reduce(0, +) / Double(draws.count)
        #expect(abs(meanAbs - 2) < 0.1)
        #expect(abs(draws.reduce(0, +) / Double(draws.count)) < 0.1)
    }

    /// The reference measured DP bounds 32 and 1024 on uniform integers 0...999 (ε = 0.25 per
    /// column). Two-stage bounds land near tail quantiles instead of powers of two. BINNED gives
    /// the bounds half of ε (the rest goes to precision and point masses), so with ε = 0.25 the
    /// tails move in to about 6.6 % (3·ln(1000)/(ε/8 · n)) and with ε = 1 to about 1.7 %.
    @Test func numericBoundsAreTight() throws {
        var random = SeededRandom(seed: 2)
        let column = Column.int64((0..<10_000).map { _ in Int64(random.uniform(below: 1000)) })
        let partial = try NumericPartial(column: column, subjects: .rows(first: 0), declared: .numericBinned, name: "x")
        for (epsilon, low, high) in [(0.25, 90.0, 910.0), (1.0, 25.0, 970.0)] {
            for seed in 0..<5 {
                guard case .binned(let s) = try partial.finalize(FinalizeContext(seed: UInt64(seed), column: "x", protection: ValueProtection(dpEpsilon: epsilon))) else { return }
                #expect(s.min! >= 0 && s.min! <= low, "\(s.min!)")
                #expect(s.max! >= high && s.max! <= 1000, "\(s.max!)")
                #expect(s.edges.count == 101)
            }
        }
    }

    @Test func tooLittleDataForTheBudgetWithholdsValues() throws {
        let column = Column.float64((0..<30).map { Double($0) })
        let partial = try NumericPartial(column: column, subjects: .rows(first: 0), declared: .numericDigit, name: "x")
        guard case .digit(let s) = try partial.finalize(FinalizeContext(seed: 1, column: "x", protection: ValueProtection(dpEpsilon: 0.1))) else { return }
        #expect(s.min == nil && s.max == nil)
    }

    @Test func dpCategoriesDropRareOnes() throws {
        let values: [String?] = (0..<2000).map { $0 < 1997 ? ["a", "b", "c"][$0 % 3] : "rare" }
        let partial = try CategoricalPartial(column: .string(values), subjects: .rows(first: 0), name: "c")
        let stats = partial.finalize(FinalizeContext(seed: 1, column: "c", protection: ValueProtection(dpEpsilon: 1)))
        #expect(stats.categories == ["a", "b", "c"])
    }
}
