import DoppelQuality
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// Conformance with mostlyai-qa 1.10.11 on the public fidelity-adult benchmark
/// (`../shared/data/fidelity-adult`, figures in its `figures-mostlyai-qa-1.10.11.csv`).
@Suite struct EvaluateConformanceTests {
    struct Reference {
        let name: String
        let univariate: Double, bivariate: Double, trivariate: Double
        let copiesTraining: Bool
    }

    /// The reference evaluator's figures (mostlyai-qa 1.10.11).
    static let references = [
        Reference(name: "mostly", univariate: 0.9891707, bivariate: 0.977892, trivariate: 0.9597949, copiesTraining: false),
        Reference(name: "synthpop", univariate: 0.9936213, bivariate: 0.9833916, trivariate: 0.9655322, copiesTraining: true),
        Reference(name: "ctgan", univariate: 0.88118, bivariate: 0.8014569, trivariate: 0.7322294, copiesTraining: false),
        Reference(name: "flip30", univariate: 0.9949593, bivariate: 0.9579277, trivariate: 0.908376, copiesTraining: true),
    ]

    static func file(_ name: String) -> String? { TestSupport.sharedDataFile("fidelity-adult/adult_\(name).csv.gz") }
    static var available: Bool { (["trn", "val"] + references.map(\.name)).allSatisfy { file($0) != nil } }

    #if DEBUG
    static let isRelease = false
    #else
    static let isRelease = true
    #endif

    func check(_ ref: Reference, maxSyntheticRows: Int?) throws {
        var request = EvaluationRequest(training: Self.file("trn")!, synthetic: Self.file(ref.name)!, holdout: Self.file("val")!)
        request.options.maxSyntheticRowsDistances = maxSyntheticRows
        let report = try evaluate(request)
        let a = report.metrics.accuracy
        #expect(abs(a.univariate! - ref.univariate) <= 0.005, "\(ref.name) univariate \(a.univariate!)")
        #expect(abs(a.bivariate! - ref.bivariate) <= 0.005, "\(ref.name) bivariate \(a.bivariate!)")
        #expect(abs(a.trivariate! - ref.trivariate) <= 0.005, "\(ref.name) trivariate \(a.trivariate!)")
        // Same-size holdout ceilings are shared by all four sets.
        #expect(abs(a.univariateMax! - 0.9951627) <= 0.005)
        #expect(abs(a.bivariateMax! - 0.9876744) <= 0.005)
        #expect(abs(a.trivariateMax! - 0.9734968) <= 0.005)
        let share = try #require(report.metrics.distances?.dcrShare)
        if ref.copiesTraining {
            #expect(share >= 0.54, "\(ref.name) DCR share \(share)")
        } else {
            #expect(share <= 0.53, "\(ref.name) DCR share \(share)")
        }
    }

    /// Debug builds: one set; distances of 500 synthetic rows to all training and holdout rows
    /// (the exact search is slow unoptimised).
    @Test(.enabled(if: available && !isRelease)) func flip30MatchesReferenceInDebug() throws {
        try check(Self.references[3], maxSyntheticRows: 500)
    }

    /// Release builds (`swift test -c release`): all four sets, all rows.
    @Test(.enabled(if: available && isRelease), arguments: references.map(\.name))
    func matchesReference(_ name: String) throws {
        try check(Self.references.first { $0.name == name }!, maxSyntheticRows: nil)
    }
}
