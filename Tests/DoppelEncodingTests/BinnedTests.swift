import Foundation
import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelEncoding

/// BINNED: fine edges on narrow ranges, point masses, sub-bins and integral decoding.
@Suite struct BinnedTests {
    func binned(_ column: Column, protection: ValueProtection = .on, subjects: SubjectIDs = .rows(first: 0)) throws -> BinnedStats {
        let partial = try NumericPartial(column: column, subjects: subjects, declared: .numericBinned, name: "x")
        guard case .binned(let s) = try partial.finalize(FinalizeContext(seed: 3, column: "x", protection: protection)) else {
            throw EncodingError(column: "x", "not binned")
        }
        return s
    }

    /// 60 % exact zeros inside the range keep a code of their own, decode to exactly 0, and a
    /// sample of the codes decodes to 60 % zeros.
    @Test func zeroInflatedColumnKeepsItsZeros() throws {
        var random = SeededRandom(seed: 11)
        let values: [Double?] = (0..<2000).map { i in i % 5 < 3 ? 0 : ((random.nextDouble() * 150 - 50) * 100).rounded() / 100 }
        let column = Column.float64(values)
        let s = try binned(column)
        #expect(s.points.contains(0))
        let zeroCode = s.firstPointCode + Int32(s.points.firstIndex(of: 0)!)
        let codes = try s.encode(column, name: "x")
        let bin = codes["bin"]!
        for row in 0..<column.count { #expect((bin[row] == zeroCode) == (values[row] == 0)) }
        let back = try s.decode(codes, name: "x", random: &random)
        for row in 0..<column.count where values[row] == 0 { #expect(back.value(at: row) == .float64(0)) }
        // Rows drawn uniformly from the encoded rows (what a perfect model generates).
        let draws = 20_000
        let picks = (0..<draws).map { _ in random.uniform(below: column.count) }
        let sampled = EncodedColumn(rowCount: draws, subColumns: codes.subColumns.map { sub in
            SubColumn(spec: sub.spec, codes: Buffer(picks.map { sub.codes[$0] }))
        })
        guard case .float64(let decoded) = try s.decode(sampled, name: "x", random: &random) else { Issue.record("not float"); return }
        let zeros = (0..<draws).filter { decoded[$0] == 0 }.count
        #expect(abs(Double(zeros) / Double(draws) - 0.6) < 0.01)
    }

    /// A round value held by many subjects (a payment of exactly 2000) decodes exactly; a rare
    /// round value does not get a code.
    @Test func frequentRoundValuesArePointMassesRareOnesAreNot() throws {
        var random = SeededRandom(seed: 12)
        var values: [Double?] = (0..<3000).map { _ in ((random.nextDouble() * 5000 + 10) * 100).rounded() / 100 }
        for i in stride(from: 0, to: 3000, by: 20) { values[i] = 2000 }   // 5 %
        for i in 0..<3 { values[i * 7 + 1] = 1234 }                      // 3 subjects only
        let s = try binned(.float64(values))
        #expect(s.points == [2000])
        let open = try binned(.float64(values), protection: .off)
        #expect(open.points == [2000])
        // DP keeps the frequent value too (noise of scale 4 on 150 subjects).
        let dp = try binned(.float64(values), protection: ValueProtection(dpEpsilon: 1))
        #expect(dp.points == [2000])
    }

    /// A narrow range with five decimals (a longitude) resolves into (nearly) the maximum number
    /// of bins; the coarse log grid gave three.
    @Test func narrowRangeGetsFineBins() throws {
        var random = SeededRandom(seed: 13)
        let values: [Double?] = (0..<5000).map { _ in ((-74.21 + 0.49 * random.nextDouble()) * 100_000).rounded() / 100_000 }
        let column = Column.float64(values)
        let s = try binned(column)
        #expect(s.binCount >= 50)
        #expect(s.minDecimal == -5)
        #expect(s.subBinCount > 1)
        let back = try s.decode(try s.encode(column, name: "x"), name: "x", random: &random)
        guard case .float64(let decoded) = back else { Issue.record("not float"); return }
        for row in 0..<column.count {
            let v = decoded[row]!
            #expect(v >= s.min! && v <= s.max!)
            #expect((v * 100_000).rounded() / 100_000 == v)
        }
        // Decoded values follow the data: the deciles of a decoded copy lie within 0.01 degrees.
        let a = values.compactMap { $0 }.sorted(), b = (0..<decoded.count).compactMap { decoded[$0] }.sorted()
        for q in 1..<10 { #expect(abs(a[q * a.count / 10] - b[q * b.count / 10]) < 0.01) }
    }

    /// A heavy-tailed integer column (800 subjects, log-normal σ = 1.5): ties and the support rule
    /// merge quantiles, so more are taken; the surplus edges are thinned evenly and no bin holds
    /// much more than its share. Cutting the surplus from the middle (the reference's rule of the
    /// first 51 and last 50 edges) left one middle bin with 166 of the 800 values here.
    @Test func surplusEdgesAreThinnedEvenly() throws {
        var random = SeededRandom(seed: 14)
        let values: [Double?] = (0..<800).map { _ in
            let normal = (-2 * Foundation.log(1 - random.nextDouble())).squareRoot() * Foundation.cos(2 * Double.pi * random.nextDouble())
            return (Foundation.exp(1.5 * normal) * 30).rounded()
        }
        let s = try binned(.float64(values))
        #expect(s.binCount <= 80 && s.binCount >= 40, "at most one bin per 10 values")
        let bins = try s.encode(.float64(values), name: "x")["bin"]!
        var counts = [Int](repeating: 0, count: s.binCount)
        for row in 0..<values.count where bins[row] >= s.firstBinCode { counts[Int(bins[row] - s.firstBinCode)] += 1 }
        let share = Double(values.count) / Double(s.binCount)
        #expect(Double(counts.max()!) <= 2 * share, "bin counts \(counts)")
    }

    /// Sub-bins: a decoded value lies in the sub-bin its codes name.
    @Test func decodeDrawsWithinTheSubBin() throws {
        var random = SeededRandom(seed: 14)
        let column = Column.float64((0..<4000).map { _ in random.nextGaussian() * 50 + 300 })
        let s = try binned(column)
        let codes = try s.encode(column, name: "x")
        let back = try s.decode(codes, name: "x", random: &random)
        let bin = codes["bin"]!, sub = codes["sub"]!
        guard case .float64(let decoded) = back, case .float64(let original) = column else { return }
        for row in 0..<column.count where bin[row] >= s.firstBinCode {
            let k = Int(bin[row] - s.firstBinCode), j = Int(sub[row])
            let bounds = [s.edges[k]] + s.subEdges[k] + [s.edges[k + 1]]
            let v = decoded[row]!, x = original[row]!
            #expect(v >= bounds[j] && v <= bounds[j + 1])
            if x > s.min! && x < s.max! { #expect(x >= bounds[j] && x < bounds[j + 1]) }
        }
    }

    /// Integer columns and float columns of integral values decode to integers, with and without DP.
    @Test func integersStayIntegers() throws {
        var random = SeededRandom(seed: 15)
        let ints = (0..<3000).map { _ in Int64(random.uniform(below: 100_000)) - 20_000 }
        for protection in [ValueProtection.on, ValueProtection(dpEpsilon: 1)] {
            let floats = Column.float64(ints.map { Double($0) })
            let s = try binned(floats, protection: protection)
            guard case .float64(let decoded) = try s.decode(try s.encode(floats, name: "x"), name: "x", random: &random) else { Issue.record("not float"); return }
            for row in 0..<decoded.count { #expect(decoded[row].map { $0.rounded() == $0 } ?? true) }
            let typed = Column.int64(ints)
            let t = try binned(typed, protection: protection)
            let back = try t.decode(try t.encode(typed, name: "x"), name: "x", random: &random)
            #expect(back.type == .int64)
            guard case .int64(let c) = back else { return }
            for row in 0..<c.count { #expect(c[row].map { Double($0) >= t.min! && Double($0) <= t.max! } ?? true) }
        }
        // A bin narrower than one unit (a grid anchor between two integers) still decodes to an integer.
        let lattice = Lattice(exponent: 0)
        let v = BinnedStats.draw(2.25, 2.75, grid: lattice, within: 0...10, random: &random)
        #expect(v == 2 || v == 3)
    }

    /// A float column of integral values decodes to integral values in every numeric encoding,
    /// also under DP (the DP precision no longer picks up fraction digits from noise).
    @Test func integralFloatsStayIntegralInEveryEncoding() throws {
        var random = SeededRandom(seed: 17)
        let column = Column.float64((0..<3000).map { _ in Double(random.uniform(below: 100_000) - 20_000) })
        for type in [EncodingType.numericAuto, .numericDigit, .numericBinned, .numericDiscrete] {
            for seed in 0..<3 {
                for protection in [ValueProtection.on, ValueProtection(dpEpsilon: 1), ValueProtection(dpEpsilon: 0.25)] {
                    let stats = try PartialStats.analyze(column, as: type, subjects: .rows(first: 0), name: "x")
                        .finalize(FinalizeContext(seed: UInt64(seed), column: "x", protection: protection))
                    let codes = try stats.encode(column, subjects: .rows(first: 0), name: "x", random: &random)
                    guard case .float64(let back) = try stats.decode(codes, subjects: .rows(first: 0), name: "x", random: &random) else {
                        Issue.record("not float"); continue
                    }
                    let fractional = (0..<back.count).filter { back[$0].map { $0.rounded() != $0 } ?? false }.count
                    #expect(fractional == 0, "\(type.rawValue) \(protection)")
                }
            }
        }
    }

    /// Many distinct values and candidates: the fine histogram coarsens, the candidate digit limit
    /// drops, and still any grouping of partials gives the same partial and the same statistics.
    @Test func coarseningIsGroupingInvariant() throws {
        var random = SeededRandom(seed: 16)
        let n = 24_000
        let column = Column.float64((0..<n).map { i in i % 10 == 0 ? 0 : (random.nextDouble() * 1000 * 100).rounded() / 100 - 100 })
        let keys = Buffer((0..<n).map { Int64($0 / 2) })
        let parts = stride(from: 0, to: n, by: 2000).map { start in
            try! NumericPartial(column: column.slice(start..<start + 2000), subjects: .keys(keys.slice(start..<start + 2000)), declared: .numericBinned, name: "x")
        }
        let whole = try NumericPartial(column: column, subjects: .keys(keys), declared: .numericBinned, name: "x")
        #expect(whole.histogram.level > 0)
        #expect(whole.pointDigits < NumericConstants.pointMaxDigits)
        var left = parts[0]
        for p in parts.dropFirst() { try left.merge(p) }
        var right = parts[parts.count - 1]
        for p in parts.dropLast().reversed() { try right.merge(p) }
        var pairs: [NumericPartial] = []
        for i in stride(from: 0, to: parts.count, by: 2) { var a = parts[i + 1]; try a.merge(parts[i]); pairs.append(a) }
        var tree = pairs.removeLast()
        for p in pairs { try tree.merge(p) }
        #expect(left == whole && right == whole && tree == whole)
        for protection in [ValueProtection.on, ValueProtection(dpEpsilon: 1)] {
            let ctx = FinalizeContext(seed: 5, column: "x", protection: protection)
            #expect(try left.finalize(ctx) == whole.finalize(ctx))
        }
        guard case .binned(let s) = try whole.finalize(FinalizeContext(seed: 5, column: "x")) else { Issue.record("not binned"); return }
        #expect(s.points == [0])
        #expect(s.binCount == NumericConstants.maxBins)
    }

    /// The fine grid's coarsest level is the log grid, so DP bounds read the same fixed grid.
    @Test func coarsestLevelIsTheLogGrid() {
        for x in [0.0, 1, -1, 73.72435, -74.21017, 1e-300, 5e300, 2000, -0.5] {
            #expect(AdaptiveHistogram.finestKey(x) >> Int64(AdaptiveHistogram.maxLevel) == LogGrid.key(x))
        }
        #expect(NumericConstants.significantDigits(ofLabel: "2000.0") == 1)
        #expect(NumericConstants.significantDigits(ofLabel: "-0.0205") == 3)
        #expect(NumericConstants.significantDigits(ofLabel: "1.5e-07") == 2)
        #expect(NumericConstants.significantDigits(ofLabel: "0") == 0)
    }
}
