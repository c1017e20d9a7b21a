import DoppelTable
import Foundation
import Testing
@testable import DoppelQuality

@Suite struct ReportTests {
    @Test func htmlIsSelfContainedAndShowsEverySection() throws {
        let trn = try PrivacyTests.people(300, seed: 1), hol = try PrivacyTests.people(300, seed: 2)
        let syn = try PrivacyTests.people(300, seed: 3)
        let report = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: syn), holdout: .init(target: hol))
        let html = HTMLReport.render(report, title: "Test <report>", sources: .init(training: "a.csv", synthetic: "b&c.csv"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("Test &lt;report&gt;"))
        #expect(html.contains("b&amp;c.csv"))
        for section in ["Accuracy", "Privacy", "Univariate distributions", "Bivariate accuracy", "Distances to closest records"] {
            #expect(html.contains(">\(section)</h2>"), "missing section \(section)")
        }
        // One chart per column, a heat map and a histogram, all inline SVG.
        #expect(html.components(separatedBy: "<svg").count - 1 == 3 + 1 + 1)
        // Nothing is loaded from elsewhere.
        for forbidden in ["<script", "src=", "href=", "http://", "https://", "@import", "url("] {
            #expect(!html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains(forbidden), "found \(forbidden)")
        }
    }

    @Test func metricsJSONUsesReferenceNames() throws {
        let trn = try PrivacyTests.people(200, seed: 1), syn = try PrivacyTests.people(200, seed: 3)
        let report = try QualityEvaluator.evaluate(training: .init(target: trn), synthetic: .init(target: syn), holdout: .init(target: syn))
        let json = String(decoding: try MetricsDocument(report).encoded(), as: UTF8.self)
        for key in ["\"univariate_max\"", "\"dcr_share\"", "\"ims_training\"", "\"nndr_training\"", "\"trivariate\"", "\"col1\""] {
            #expect(json.contains(key), "missing \(key)")
        }
        let decoded = try JSONDecoder().decode(MetricsDocument.self, from: Data(json.utf8))
        #expect(decoded.accuracy.univariate == report.metrics.accuracy.univariate)
    }
}
