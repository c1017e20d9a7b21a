import DoppelQuality
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

@Suite struct EvaluateFacadeTests {
    static func writeCSV(_ url: URL, seed: Int) throws {
        var lines = ["age,city,score"]
        for i in 0..<400 {
            let v = (i * 7919 + seed * 104_729) % 1000
            lines.append("\(20 + v % 50),\(["Vienna", "Graz", "Linz", ""][v % 4]),\(Double(v) / 10)")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func evaluateReadsFilesAndWritesReportAndJSON() throws {
        let dir = try TestSupport.temporaryDirectory("evaluate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trn = dir.appendingPathComponent("trn.csv"), syn = dir.appendingPathComponent("syn.csv"), hol = dir.appendingPathComponent("hol.csv")
        try Self.writeCSV(trn, seed: 1)
        try Self.writeCSV(syn, seed: 2)
        try Self.writeCSV(hol, seed: 3)
        var request = EvaluationRequest(training: trn.path, synthetic: syn.path, holdout: hol.path)
        request.reportPath = dir.appendingPathComponent("report.html").path
        request.jsonPath = dir.appendingPathComponent("metrics.json").path
        let report = try evaluate(request)
        #expect(report.rows.training == 400 && report.rows.holdout == 400 && report.rows.synthetic == 400)
        let html = try String(contentsOfFile: request.reportPath!, encoding: .utf8)
        #expect(html.contains("trn.csv") && html.contains("<svg"))
        let json = try JSONDecoder().decode(MetricsDocument.self, from: Data(contentsOf: URL(fileURLWithPath: request.jsonPath!)))
        #expect(json.accuracy.overall == report.metrics.accuracy.overall)
        #expect(json.distances?.dcrShare != nil)
    }

    @Test func unsupportedFileTypeNamesTheFile() {
        #expect(throws: (any Error).self) { try readDataFile(path: "/tmp/data.xlsx") }
        do { _ = try readDataFile(path: "/tmp/data.xlsx") } catch { #expect("\(error)".contains("data.xlsx")) }
    }

    @Test func missingKeyColumnIsNamed() throws {
        let dir = try TestSupport.temporaryDirectory("evaluate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trn = dir.appendingPathComponent("trn.csv")
        try Self.writeCSV(trn, seed: 1)
        var request = EvaluationRequest(training: trn.path, synthetic: trn.path)
        request.contextKey = "customer"
        do { try evaluate(request); Issue.record("expected an error") } catch { #expect("\(error)".contains("'customer'")) }
    }
}
