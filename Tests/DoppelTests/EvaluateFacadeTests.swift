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
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: false, encoding: .utf8)
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
        #expect(throws: (any Error).self) { try DataFiles.read(path: "/tmp/data.xlsx") }
        do { _ = try DataFiles.read(path: "/tmp/data.xlsx") } catch { #expect("\(error)".contains("data.xlsx")) }
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

@Suite struct EvaluateSequentialFacadeTests {
    /// Customers (context) and their purchases (target, 1–5 rows each).
    static func write(_ dir: URL, _ tag: String, seed: Int) throws -> (events: String, customers: String) {
        var events = ["customer,product,amount"], customers = ["id,segment"]
        for c in 0..<300 {
            let v = (c * 7919 + seed * 104_729) % 997
            customers.append("c\(c)-\(tag),\(v % 3 == 0 ? "business" : "retail")")
            for k in 0..<(1 + v % 5) {
                events.append("c\(c)-\(tag),\(["tea", "cake", "jam"][(v + k) % 3]),\(Double((v * (k + 1)) % 200) / 4)")
            }
        }
        let e = dir.appendingPathComponent("events-\(tag).csv"), p = dir.appendingPathComponent("customers-\(tag).csv")
        try (events.joined(separator: "\n") + "\n").write(to: e, atomically: false, encoding: .utf8)
        try (customers.joined(separator: "\n") + "\n").write(to: p, atomically: false, encoding: .utf8)
        return (e.path, p.path)
    }

    @Test func sequentialFilesWithContextGiveCoherence() throws {
        let dir = try TestSupport.temporaryDirectory("evaluate-seq")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trn = try Self.write(dir, "trn", seed: 1), hol = try Self.write(dir, "hol", seed: 2), syn = try Self.write(dir, "syn", seed: 3)
        var request = EvaluationRequest(training: trn.events, synthetic: syn.events, holdout: hol.events)
        request.context = trn.customers
        request.syntheticContext = syn.customers
        request.holdoutContext = hol.customers
        request.contextKey = "customer"
        request.contextPrimaryKey = "id"
        request.reportPath = dir.appendingPathComponent("report.html").path
        let report = try evaluate(request)
        #expect(report.setup == .oneToMany)
        #expect(report.subjects.original == 600 && report.subjects.synthetic == 300)
        #expect(report.metrics.accuracy.coherence != nil)
        #expect(report.accuracy.bivariates.contains { $0.column2 == "ctx::segment" })
        let html = try String(contentsOfFile: request.reportPath!, encoding: .utf8)
        #expect(html.contains(">Sequential coherence</h2>") && html.contains("Sequence Length"))
    }
}
