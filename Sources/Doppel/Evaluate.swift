import DoppelIO
import DoppelParallel
import DoppelQuality
import DoppelTable
import Foundation
import DoppelFiles

/// The files and options of one `doppel evaluate` run.
public struct EvaluationRequest: Sendable {
    public var training: String
    public var synthetic: String
    public var holdout: String?
    /// Context table of the training data (and of the synthetic data unless given separately).
    public var context: String?
    public var syntheticContext: String?
    /// Context table of the holdout; without one, holdout keys are looked up in the training context.
    public var holdoutContext: String?
    /// Column of the target tables that links rows to subjects (sequential data).
    public var contextKey: String?
    /// Primary key of the context tables (defaults to `contextKey`).
    public var contextPrimaryKey: String?
    public var reportPath: String?
    public var jsonPath: String?
    public var options = QualityEvaluator.Options()
    /// How reading and scoring run in parallel (`--backend`, `--jobs`).
    public var executor = ExecutorConfiguration()

    public init(training: String, synthetic: String, holdout: String? = nil) {
        self.training = training
        self.synthetic = synthetic
        self.holdout = holdout
    }
}

/// Runs an evaluation: reads the files, computes the metrics, writes the HTML report and the
/// JSON metrics when paths are given, and returns the report.
@discardableResult
public func evaluate(_ request: EvaluationRequest) throws -> QualityReport {
    try Executor.withDefault(request.executor) { try evaluateFiles(request) }
}

private func evaluateFiles(_ request: EvaluationRequest) throws -> QualityReport {
    if request.context != nil && request.contextKey == nil { throw EvaluationError.contextWithoutKey }
    let inputs = [request.training, request.synthetic, request.holdout, request.context, request.syntheticContext, request.holdoutContext]
    if let path = request.reportPath { try OutputPaths.refuseOverwriting(path, option: "--report", inputs: inputs) }
    if let path = request.jsonPath { try OutputPaths.refuseOverwriting(path, option: "--json", inputs: inputs + [request.reportPath]) }
    let trainingContext = try request.context.map { try DataFiles.read(path: $0) }
    let training = EvaluationData(target: try DataFiles.read(path: request.training), context: trainingContext)
    let synthetic = EvaluationData(target: try DataFiles.read(path: request.synthetic),
                                   context: try request.syntheticContext.map { try DataFiles.read(path: $0) } ?? trainingContext)
    let holdout = try request.holdout.map { path in
        EvaluationData(target: try DataFiles.read(path: path), context: try request.holdoutContext.map { try DataFiles.read(path: $0) })
    }
    let keys = SubjectKeys(targetKey: request.contextKey, contextPrimaryKey: request.contextPrimaryKey)
    let report = try QualityEvaluator.evaluate(training: training, synthetic: synthetic, holdout: holdout, keys: keys, options: request.options)
    if let path = request.reportPath {
        let sources = HTMLReport.Sources(training: fileName(request.training), synthetic: fileName(request.synthetic), holdout: request.holdout.map(fileName))
        try AtomicFile.write(HTMLReport.render(report, sources: sources), to: path)
    }
    if let path = request.jsonPath {
        try AtomicFile.write([UInt8](try MetricsDocument(report).encoded()), to: path)
    }
    return report
}

private func fileName(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }
