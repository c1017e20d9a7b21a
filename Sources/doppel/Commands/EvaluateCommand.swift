import ArgumentParser
import Doppel
import DoppelQuality
import Foundation

/// `doppel evaluate`: fidelity and privacy of synthetic data, as an HTML report and JSON.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score synthetic data against training (and holdout) data: accuracy, distances, HTML report.",
        discussion: "Inputs: CSV or CSV.gz. Accuracy follows mostlyai-qa 1.10 (see docs/evaluate.md).")

    @Option(name: .customLong("train"), help: "Training data the generator learned from.") var training: String
    @Option(help: "Synthetic data to score.") var synthetic: String
    @Option(help: "Holdout data the generator never saw (enables the DCR share).") var holdout: String?
    @Option(help: "Context table of the training data (sequential data with a parent table).") var context: String?
    @Option(help: "Context table of the synthetic data (default: the training context).") var syntheticContext: String?
    @Option(help: "Context table of the holdout data (default: the training context).") var holdoutContext: String?
    @Option(help: "Column of the target data that holds the subject (context) key.") var contextKey: String?
    @Option(help: "Primary key column of the context tables (default: --context-key).") var contextPrimaryKey: String?
    @Option(help: "Where to write the HTML report.") var report: String?
    @Option(help: "Where to write the metrics as JSON.") var json: String?
    @Option(parsing: .unconditional, help: "Seed of all random draws.") var seed: UInt64 = 42
    @Option(parsing: .unconditional, help: "Cap on rows per data set compared by distance (default: the smallest data set; subsampling training rows weakens the DCR share).") var maxDistanceRows: Int?
    @Flag(help: "Skip the distance (privacy) measures.") var noDistances = false
    @Flag(help: "Replace output files that exist already.") var force = false
    @OptionGroup var executor: ExecutorOptions

    func run() throws {
        try ExistingOutputs.refuse([report, json], force: force)
        var request = EvaluationRequest(training: training, synthetic: synthetic, holdout: holdout)
        request.context = context
        request.syntheticContext = syntheticContext
        request.holdoutContext = holdoutContext
        request.contextKey = contextKey
        request.contextPrimaryKey = contextPrimaryKey
        request.reportPath = report
        request.jsonPath = json
        request.options.seed = seed
        request.executor = try executor.configuration()
        request.options.maxRowsDistances = maxDistanceRows
        request.options.computeDistances = !noDistances
        let start = Date()
        let result = try evaluate(request)
        print(Self.summary(result, seconds: Date().timeIntervalSince(start)))
    }

    static func summary(_ r: QualityReport, seconds: Double) -> String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
        let a = r.metrics.accuracy
        var lines = ["accuracy  overall \(pct(a.overall)) (max \(pct(a.overallMax)))  univariate \(pct(a.univariate))  bivariate \(pct(a.bivariate))  trivariate \(pct(a.trivariate))"]
        if a.coherence != nil { lines.append("coherence \(pct(a.coherence)) (max \(pct(a.coherenceMax)))") }
        if let d = r.metrics.distances {
            lines.append(String(format: "distances DCR training %.3f", d.dcrTraining) + (d.dcrHoldout.map { String(format: "  holdout %.3f", $0) } ?? "")
                + "  DCR share \(pct(d.dcrShare))  identical matches \(pct(d.imsTraining))"
                + (d.miaAUC.map { String(format: "  membership-inference AUC %.3f", $0) } ?? ""))
        }
        lines.append(String(format: "evaluated in %.1f s", seconds))
        return lines.joined(separator: "\n")
    }
}
