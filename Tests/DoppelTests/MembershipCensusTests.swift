import DoppelModel
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// The membership-inference attack of `doppel evaluate` on a census sample (2,000 training and
/// 1,000 held-out rows of ../shared/data/census.csv.gz; skipped, and so named, without it): the
/// default model stays at AUC ≤ 0.55, and a DP-SGD model at ε = 1 close to 0.5.
@Suite(.enabled(if: TestSupport.sharedDataFile("census.csv.gz") != nil, "skipped: no ../shared/data/census.csv.gz"))
struct MembershipCensusTests {
    static func sample() throws -> (training: String, holdout: String) {
        let census = try DataFiles.read(path: TestSupport.sharedDataFile("census.csv.gz")!)
        let dir = try TestSupport.temporaryDirectory("mia-census")
        let training = dir.appendingPathComponent("trn.csv").path, holdout = dir.appendingPathComponent("hol.csv").path
        try DataFiles.write(census.take(Array(0..<2_000)), to: training)
        try DataFiles.write(census.take(Array(2_000..<3_000)), to: holdout)
        return (training, holdout)
    }

    func attackAUC(privacy: DPSGD?) throws -> Double {
        let (training, holdout) = try Self.sample()
        let ws = try TrainFixture.encodedCSV(try String(contentsOfFile: training, encoding: .utf8))
        _ = try TrainFixture.train(ws, maxEpochs: 8, privacy: privacy)
        let synthetic = try TestSupport.temporaryDirectory("mia-syn").appendingPathComponent("syn.csv").path
        var options = GenerateOptions(workspace: ws, outputPath: synthetic)
        options.rows = 2_000
        _ = try Generate.run(options)
        let report = try evaluate(EvaluationRequest(training: training, synthetic: synthetic, holdout: holdout))
        return try #require(report.metrics.distances?.miaAUC)
    }

    @Test func defaultModelResistsTheAttack() throws {
        let auc = try attackAUC(privacy: nil)
        #expect(auc <= 0.55, "membership-inference AUC \(auc)")
    }

    @Test func privateModelIsAtChance() throws {
        let auc = try attackAUC(privacy: DPSGD(noiseMultiplier: 1.5, maxGradNorm: 1, maxEpsilon: 1, delta: 1e-5))
        #expect(abs(auc - 0.5) <= 0.04, "membership-inference AUC \(auc) at ε = 1")
    }
}
