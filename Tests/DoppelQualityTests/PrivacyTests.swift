import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelQuality

@Suite struct PrivacyTests {
    static func rows(_ n: Int, seed: UInt64, numeric: Int = 5, categorical: Int = 4) -> EmbeddedRows {
        var r = SeededRandom(seed: seed)
        return EmbeddedRows(count: n, numericWidth: numeric, categoricalWidth: categorical,
                            numeric: (0..<(n * numeric)).map { _ in r.nextFloat() - 0.5 },
                            codes: (0..<(n * categorical)).map { _ in Int32(r.uniform(below: 4)) - 1 },
                            alpha: (0..<n).map { _ in 0.2 + 0.2 * r.nextFloat() })
    }

    /// Squared distance of the conceptual one-hot embedding, computed the long way.
    static func bruteForce(_ q: EmbeddedRows, _ i: Int, _ r: EmbeddedRows, _ j: Int) -> Double {
        var d = 0.0
        for k in 0..<q.numericWidth {
            let x = Double(q.numeric[i * q.numericWidth + k]) - Double(r.numeric[j * r.numericWidth + k])
            d += x * x
        }
        let a = Double(q.alpha[i]), b = Double(r.alpha[j])
        for k in 0..<q.categoricalWidth {
            d += q.codes[i * q.categoricalWidth + k] == r.codes[j * r.categoricalWidth + k] ? (a - b) * (a - b) : a * a + b * b
        }
        return d
    }

    @Test(arguments: [NearestNeighbors.Kernel.simd, .scalar])
    func kernelsFindExactTwoNearest(_ kernel: NearestNeighbors.Kernel) {
        // 77 reference rows: the last block of 8 is padded; 41 queries: pairs and one single.
        let reference = Self.rows(77, seed: 1), queries = Self.rows(41, seed: 2)
        let result = NearestNeighbors(reference: reference).search(queries, kernel: kernel)
        for i in 0..<queries.count {
            let all = (0..<reference.count).map { Self.bruteForce(queries, i, reference, $0).squareRoot() }.sorted()
            #expect(abs(Double(result.first[i]) - all[0]) < 1e-4)
            #expect(abs(Double(result.second[i]) - all[1]) < 1e-4)
        }
    }

    @Test func identicalRowsAreZeroApart() {
        let reference = Self.rows(30, seed: 3)
        let result = NearestNeighbors(reference: reference).search(reference, kernel: .simd)
        #expect(result.first.allSatisfy { $0 == 0 })
        #expect(result.second.allSatisfy { $0 > 0 })
    }

    @Test func quantileTransformMapsToHalfIntervalAndTiesToTheMiddle() {
        let q = MixedEmbedding.quantiles((0...100).map(Double.init))
        #expect(q.count == 100)
        #expect(MixedEmbedding.transform(-3, q) == -0.5)
        #expect(MixedEmbedding.transform(100, q) == 0.5)
        #expect(abs(MixedEmbedding.transform(50, q)) < 1e-9)
        // A value repeated over quantiles 0.25…0.75 sits in the middle of that range.
        let tied = [0.0, 1, 1, 1, 2]
        #expect(MixedEmbedding.transform(1, tied) == 0)
    }

    @Test func embeddedRowsAreUnitLength() {
        let names = ["x", "c"]
        let x = MetricColumn.numeric([1, 2, 3, .nan, 5, 6])
        let c = MetricColumn(Column.string(["a", "b", "a", "b", nil, "a"]))
        let embedding = MixedEmbedding(names: names, reference: [x, c], anyMissing: [true, true])
        let e = embedding.embed([x, c])
        #expect(e.numericWidth == 2 && e.categoricalWidth == 1)
        for r in 0..<e.count {
            let n2 = (0..<2).map { Double(e.numeric[r * 2 + $0]) }.reduce(0) { $0 + $1 * $1 }
            let onehot = Double(e.alpha[r]) * Double(e.alpha[r])
            #expect(abs(n2 + onehot - 1) < 1e-6)
        }
        // An unseen synthetic category gets a code of its own.
        let s = embedding.embed([.numeric([1]), MetricColumn(Column.string(["zzz"]))])
        #expect(s.codes == [MixedEmbedding.unseenCode])
    }

    static func people(_ n: Int, seed: UInt64) throws -> Table {
        var r = SeededRandom(seed: seed)
        let age = (0..<n).map { _ in Int64(18 + r.uniform(below: 60)) }
        let weight = (0..<n).map { _ in 50 + 50 * r.nextDouble() }
        let job: [String?] = (0..<n).map { _ in ["a", "b", "c", "d", "e"][r.uniform(below: 5)] }
        return try Table([("age", .int64(age)), ("weight", .float64(weight)), ("job", .string(job))])
    }

    @Test func copiesOfTrainingRowsRaiseTheDCRShare() throws {
        let trn = try Self.people(600, seed: 1), hol = try Self.people(600, seed: 2), fresh = try Self.people(600, seed: 3)
        var r = SeededRandom(seed: 9)
        let copied = trn.take((0..<600).map { _ in r.uniform(below: 600) })
        let honest = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: fresh), holdout: .init(target: hol))
        let leaky = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: copied), holdout: .init(target: hol))
        let h = try #require(honest.metrics.distances), l = try #require(leaky.metrics.distances)
        #expect(abs(h.dcrShare! - 0.5) < 0.07)
        #expect(l.dcrShare! > 0.95)
        #expect(l.imsTraining == 1)
        #expect(h.imsTraining == 0)
        #expect(l.dcrTraining == 0)
        #expect(leaky.privacy?.rowsCompared == 600)
    }
}
