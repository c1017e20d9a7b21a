import DoppelModel
import Foundation

/// The differential-privacy cost recorded with a workspace's trained models: DP-SGD's ε of the
/// model (plus the context table's model of sequential data) at δ, and the ε of analyze's
/// differentially private statistics; the release spends their sum (basic composition).
public struct ReleasePrivacy: Sendable, Equatable {
    public var modelEpsilon: Double
    public var delta: Double
    public var statisticsEpsilon: Double?

    public var totalEpsilon: Double { modelEpsilon + (statisticsEpsilon ?? 0) }

    /// `nil` when the models were trained without DP-SGD (or there is no trained model).
    public static func read(_ workspace: Workspace) -> ReleasePrivacy? {
        let main = workspace.modelDataDirectory.path
        let trainings = [(try? ModelFiles.readDescription(from: main))?.training
                            ?? (try? ModelFiles.readDescription(SequentialModelDescription.self, from: main))?.training,
                         (try? ModelFiles.readDescription(from: workspace.contextModelDataDirectory.path))?.training]
        var result: ReleasePrivacy?
        for case let training? in trainings {
            guard let epsilon = training.privacyEpsilon, let delta = training.privacyDelta else { continue }
            if result == nil { result = ReleasePrivacy(modelEpsilon: 0, delta: delta, statisticsEpsilon: training.statisticsEpsilon) }
            result?.modelEpsilon += epsilon
        }
        return result
    }
}
