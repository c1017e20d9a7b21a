import Foundation

/// The `metrics.json` document: headline metrics plus per-column and per-pair accuracies.
public struct MetricsDocument: Codable, Sendable {
    public var accuracy: QualityMetrics.Accuracy
    public var distances: QualityMetrics.Distances?
    public var setup: SubjectSetup
    public var rows: [String: Int]
    public var univariates: [ColumnAccuracy]
    public var bivariates: [PairAccuracy]
    public var trivariateCount: Int

    enum CodingKeys: String, CodingKey {
        case accuracy, distances, setup, rows, univariates, bivariates
        case trivariateCount = "trivariate_count"
    }

    public init(_ r: QualityReport) {
        accuracy = r.metrics.accuracy
        distances = r.metrics.distances
        setup = r.setup
        rows = ["training": r.rows.training, "holdout": r.rows.holdout, "synthetic": r.rows.synthetic,
                "original_subjects": r.subjects.original, "synthetic_subjects": r.subjects.synthetic]
        univariates = r.accuracy.univariates
        bivariates = r.accuracy.bivariates
        trivariateCount = r.accuracy.trivariates.count
    }

    /// Pretty-printed, key-sorted JSON (stable bytes for the same input).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}
