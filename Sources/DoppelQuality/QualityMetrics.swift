/// The headline figures of an evaluation, written as `metrics.json` (names follow mostlyai-qa's
/// `ModelMetrics`, so figures can be compared with published ones).
public struct QualityMetrics: Sendable, Codable {
    public struct Accuracy: Sendable, Codable {
        public var overall: Double?
        public var univariate: Double?
        public var bivariate: Double?
        public var trivariate: Double?
        public var coherence: Double?
        public var overallMax: Double?
        public var univariateMax: Double?
        public var bivariateMax: Double?
        public var trivariateMax: Double?
        public var coherenceMax: Double?

        enum CodingKeys: String, CodingKey {
            case overall, univariate, bivariate, trivariate, coherence
            case overallMax = "overall_max", univariateMax = "univariate_max", bivariateMax = "bivariate_max"
            case trivariateMax = "trivariate_max", coherenceMax = "coherence_max"
        }
    }

    public struct Distances: Sendable, Codable {
        /// Identical-match share: synthetic rows at distance ≤ 1e-6 from a training row.
        public var imsTraining: Double
        public var imsHoldout: Double?
        public var imsTrainingHoldout: Double?
        /// Mean distance to the closest record.
        public var dcrTraining: Double
        public var dcrHoldout: Double?
        public var dcrTrainingHoldout: Double?
        /// P(DCR to training < DCR to holdout) + ½·P(equal); ≈ 0.5 when nothing is copied.
        public var dcrShare: Double?
        /// 10th smallest nearest-neighbour distance ratio.
        public var nndrTraining: Double
        public var nndrHoldout: Double?
        public var nndrTrainingHoldout: Double?
        /// Membership inference by distance to the closest synthetic row: the ROC AUC of telling
        /// training rows (members) from holdout rows (non-members) by how close the synthetic
        /// data comes to them; 0.5 = no better than chance.
        public var miaAUC: Double?

        enum CodingKeys: String, CodingKey {
            case imsTraining = "ims_training", imsHoldout = "ims_holdout", imsTrainingHoldout = "ims_trn_hol"
            case dcrTraining = "dcr_training", dcrHoldout = "dcr_holdout", dcrTrainingHoldout = "dcr_trn_hol"
            case dcrShare = "dcr_share"
            case nndrTraining = "nndr_training", nndrHoldout = "nndr_holdout", nndrTrainingHoldout = "nndr_trn_hol"
            case miaAUC = "mia_auc"
        }
    }

    public var accuracy: Accuracy
    public var distances: Distances?
}

/// Mean of the non-`nil` values, or `nil` when there are none.
func meanOfAvailable(_ values: [Double?]) -> Double? {
    let present = values.compactMap { $0 }.filter { !$0.isNaN }
    return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
}

func mean(_ values: [Double]) -> Double? {
    meanOfAvailable(values.map { Optional($0) })
}
