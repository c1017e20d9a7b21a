import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelQuality

/// The distance membership-inference attack: its AUC statistic, and on data sets whose answer
/// is known (a copy of the training rows against fresh rows of the same distribution).
@Suite struct MembershipInferenceTests {
    @Test func aucIsTheMannWhitneyStatistic() {
        #expect(PrivacyEvaluation.membershipAUC(members: [0, 0.1, 0.2], nonMembers: [0.5, 0.6]) == 1)
        #expect(PrivacyEvaluation.membershipAUC(members: [0.5, 0.6], nonMembers: [0, 0.1]) == 0)
        #expect(PrivacyEvaluation.membershipAUC(members: [0.3, 0.3], nonMembers: [0.3, 0.3]) == 0.5)
        // One member below both non-members, one between them: (2 + 1) / 4.
        #expect(PrivacyEvaluation.membershipAUC(members: [0.1, 0.4], nonMembers: [0.3, 0.5]) == 0.75)
        #expect(PrivacyEvaluation.membershipAUC(members: [], nonMembers: [1]) == nil)
    }

    static func table(_ n: Int, seed: UInt64) throws -> Table {
        var r = SeededRandom(seed: seed)
        let ages = (0..<n).map { _ in Int64(20 + r.uniform(below: 50)) }
        let income = ages.map { Double($0) * 1000 + r.nextGaussian() * 5000 }
        let cities: [String?] = (0..<n).map { _ in ["Vienna", "Graz", "Linz", "Salzburg"][r.uniform(below: 4)] }
        return try Table([("age", .int64(ages)), ("income", .float64(income)), ("city", .string(cities))])
    }

    @Test func copiesAreCaughtFreshRowsAreNot() throws {
        let trn = try Self.table(2_000, seed: 1), hol = try Self.table(2_000, seed: 2), fresh = try Self.table(2_000, seed: 3)
        let copied = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: trn), holdout: .init(target: hol))
        let safe = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: fresh), holdout: .init(target: hol))
        let copiedAUC = try #require(copied.metrics.distances?.miaAUC), safeAUC = try #require(safe.metrics.distances?.miaAUC)
        #expect(copiedAUC > 0.95, "AUC \(copiedAUC) for a copy of the training rows")
        #expect(abs(safeAUC - 0.5) < 0.04, "AUC \(safeAUC) for fresh rows")
    }
}
