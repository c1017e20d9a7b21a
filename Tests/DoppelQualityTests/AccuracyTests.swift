import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelQuality

@Suite struct AccuracyTests {
    @Test func identicalDistributionsScoreOne() {
        let a = DistributionAccuracy.compare([10, 20, 70], [1, 2, 7])
        #expect(a.accuracy == 1)
        #expect(a.accuracyMax < 1)
    }

    @Test func disjointDistributionsScoreZero() {
        #expect(DistributionAccuracy.compare([10, 0], [0, 10]).accuracy == 0)
    }

    @Test func accuracyIsOneMinusTotalVariationDistance() {
        // p = (.5, .5), q = (.8, .2): TVD = .3
        let a = DistributionAccuracy.compare([50, 50], [80, 20])
        #expect(a.accuracy == 0.7)
        // E[L1] = 2 · sqrt(2/π · .25 · (1/100 + 1/100)) = 0.1128379…; max = 1 − E/2, rounded.
        #expect(a.accuracyMax == 0.94358)
    }

    @Test func jointCellsCountCombinations() {
        let x: [UInt16] = [0, 0, 1, 1], y: [UInt16] = [0, 1, 0, 1]
        // Same marginals, different joint distribution.
        let a = DistributionAccuracy.accuracy(original: [x, y], synthetic: [x, [0, 0, 1, 1]], binCounts: [2, 2])
        #expect(a.accuracy == 0.5)
        #expect(DistributionAccuracy.accuracy(original: [x], synthetic: [[0, 1, 0, 1]], binCounts: [2]).accuracy == 1)
    }

    @Test func roundsToFiveDecimalsHalfToEven() {
        #expect(DistributionAccuracy.round5(0.123456) == 0.12346)
        #expect(DistributionAccuracy.round5(1 - 1e-7) == 1)
    }

    static func table(_ n: Int, seed: UInt64, shift: Double = 0) throws -> Table {
        var r = SeededRandom(seed: seed)
        let ages = (0..<n).map { _ in Int64(20 + r.uniform(below: 50)) }
        let cities: [String?] = ages.map { $0 < 40 ? (r.nextDouble() < 0.8 ? "Vienna" : "Graz") : (r.nextDouble() < 0.5 + shift ? "Linz" : "Graz") }
        let income = ages.map { Double($0) * 1000 + r.nextGaussian() * 500 }
        let flags = (0..<n).map { _ in r.nextDouble() < 0.3 }
        return try Table([("age", .int64(ages)), ("city", .string(cities)), ("income", .float64(income)), ("flag", .bool(flags))])
    }

    @Test func flatEvaluationMatchesSameDistributionClosely() throws {
        let trn = try Self.table(3000, seed: 1), hol = try Self.table(3000, seed: 2)
        let same = try Self.table(3000, seed: 3), shifted = try Self.table(3000, seed: 4, shift: 0.45)
        var options = QualityEvaluator.Options()
        options.computeDistances = false
        let good = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: same), holdout: .init(target: hol), options: options)
        let bad = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: shifted), holdout: .init(target: hol), options: options)
        let g = good.metrics.accuracy, b = bad.metrics.accuracy
        #expect(good.setup == .oneToOne)
        #expect(good.accuracy.univariates.map(\.column) == ["tgt::age", "tgt::city", "tgt::flag", "tgt::income"])
        #expect(good.accuracy.bivariates.count == 6)
        #expect(good.accuracy.trivariates.count == 4)
        #expect(g.univariate! > 0.97 && g.bivariate! > 0.95)
        #expect(g.overall! <= g.overallMax! + 0.01)
        #expect(b.bivariate! < g.bivariate! - 0.05)
        #expect(abs(g.overall! - (g.univariate! + g.bivariate! + g.trivariate!) / 3) < 1e-12)
        #expect(g.coherence == nil)
    }

    @Test func sameSeedGivesSameFigures() throws {
        let trn = try Self.table(500, seed: 1), syn = try Self.table(500, seed: 3)
        let a = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: syn), holdout: nil)
        let b = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: syn), holdout: nil)
        #expect(try MetricsDocument(a).encoded() == MetricsDocument(b).encoded())
        #expect(a.metrics.distances?.dcrShare == nil)
    }

    @Test func tooFewRowsIsAnError() throws {
        let small = try Self.table(50, seed: 1)
        #expect(throws: EvaluationError.self) {
            try QualityEvaluator.evaluate(training: .init(target: small), synthetic: .init(target: small), holdout: nil)
        }
    }

    @Test func syntheticColumnsAreCoercedToOriginalTypes() throws {
        let trn = try Self.table(400, seed: 1)
        // The synthetic file's age column came out as text.
        let ages: [String?] = (0..<400).map { i in i % 50 == 0 ? "n/a" : String(20 + i % 50) }
        let syn = try Table([("age", .string(ages)), ("city", trn.column(named: "city")!), ("income", trn.column(named: "income")!), ("flag", trn.column(named: "flag")!)])
        let r = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: syn), holdout: nil)
        let age = try #require(r.accuracy.distributions.first { $0.column == "tgt::age" })
        #expect(age.kind == .numeric)
        #expect(age.synthetic.last == 8) // "n/a" → missing bin
    }

    /// A generator's rare-category token is a missing value, not a retyped column: a synthetic
    /// age column that is mostly `_RARE_` is scored (badly), not refused.
    @Test func rareTokensCountAsMissingValues() throws {
        let trn = try Self.table(400, seed: 1)
        let ages: [String?] = (0..<400).map { $0 % 10 == 0 ? "\(30 + $0 % 7)" : "_RARE_" }
        let syn = try Table([("age", .string(ages)), ("city", trn.column(named: "city")!), ("income", trn.column(named: "income")!), ("flag", trn.column(named: "flag")!)])
        let r = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: syn), holdout: nil)
        let age = try #require(r.accuracy.univariates.first { $0.column == "tgt::age" })
        #expect(age.accuracy < 0.5)
    }

    /// What cannot be scored is refused with the column named: a missing or renamed column, an
    /// extra one, a holdout whose ages are written "22y" (none convert to numbers).
    @Test func tablesThatCannotBeComparedAreRefused() throws {
        let trn = try Self.table(400, seed: 1)
        let renamed = try Table([("years", trn.column(named: "age")!), ("city", trn.column(named: "city")!),
                                 ("income", trn.column(named: "income")!), ("flag", trn.column(named: "flag")!)])
        #expect { try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: renamed), holdout: nil) } throws: {
            "\($0)".contains("synthetic data has no column 'age'")
        }
        let extra = try Table(zip(trn.schema.names, trn.columns).map { ($0, $1) } + [("more", trn.column(named: "city")!)])
        #expect { try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: extra), holdout: nil) } throws: {
            "\($0)".contains("columns the training data lacks: 'more'")
        }
        let ages: [String?] = (0..<400).map { "\(20 + $0 % 50)y" }
        let holdout = try Table([("age", .string(ages)), ("city", trn.column(named: "city")!), ("income", trn.column(named: "income")!),
                                 ("flag", trn.column(named: "flag")!)])
        #expect { try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: trn), holdout: .init(target: holdout)) } throws: {
            "\($0)".contains("column 'age': 400 of the holdout data's values are not numbers")
        }
    }
}
