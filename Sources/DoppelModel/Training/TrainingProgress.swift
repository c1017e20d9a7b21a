import Foundation

/// A progress report: after the first step, at least every `progressInterval` seconds, and at
/// the end of every epoch (then with the validation loss).
public struct TrainingProgress: Sendable, Equatable {
    public var epoch: Double
    public var maxEpochs: Int
    public var steps: Int
    public var samples: Int
    public var elapsedSeconds: Double
    /// Estimated seconds left (to `maxEpochs` or the time budget, whichever comes first).
    public var remainingSeconds: Double
    public var learningRate: Float
    /// Mean training loss (sum over sub-columns, per row) since the last report.
    public var trainLoss: Double
    public var validationLoss: Double?
    /// Whether this epoch produced a new best model (weights.bin written).
    public var isCheckpoint: Bool

    /// One line for logs: `epoch 3.00/100  train 12.3456  val 12.5678 *  lr 0.004000  42s  ETA 1m 10s`.
    public var message: String {
        var text = "epoch " + String(format2(epoch)) + "/\(maxEpochs)  train " + format4(trainLoss)
        if let validationLoss { text += "  val " + format4(validationLoss) + (isCheckpoint ? " *" : "") }
        text += "  lr " + String(format: "%.3g", Double(learningRate)) + "  \(Int(elapsedSeconds))s  ETA \(Int(remainingSeconds))s"
        return text
    }

    private func format2(_ x: Double) -> String { String((x * 100).rounded() / 100) }
    private func format4(_ x: Double) -> String { String((x * 10_000).rounded() / 10_000) }
}

/// Why a training run stopped.
public enum StopReason: String, Codable, Sendable {
    case maxEpochs, earlyStopping, maxTime, cancelled
    /// DP-SGD: one more step would have spent more than the privacy budget.
    case privacyBudget
}

/// Training facts saved in `model.json`.
public struct TrainingSummary: Codable, Sendable, Equatable {
    public var epochs: Int
    public var steps: Int
    public var samples: Int
    public var bestEpoch: Int
    public var bestValidationLoss: Double?
    public var batchSize: Int
    public var initialLearningRate: Float
    public var seed: UInt64
    public var shards: Int
    public var elapsedSeconds: Double
    public var stopReason: StopReason
    /// DP-SGD: the (ε, δ) the training spent (`nil` without privacy).
    public var privacyEpsilon: Double? = nil
    public var privacyDelta: Double? = nil
    /// The ε of the statistics (analyze `--dp-epsilon`) the model was trained with, if any.
    public var statisticsEpsilon: Double? = nil
    /// DP-SGD: the noise multiplier used (given, or calibrated to the budget).
    public var privacyNoiseMultiplier: Double? = nil
}

/// The outcome of ``Trainer/train(architecture:training:validation:options:directory:resume:progress:)``:
/// the best model (lowest validation loss) and the summary written to `model.json`.
public struct TrainingResult: Sendable {
    public var model: FlatModel
    public var summary: TrainingSummary
}

/// One row of `progress.csv`.
struct ProgressRow: Codable, Sendable, Equatable {
    var epoch: Int
    var steps: Int
    var samples: Int
    var elapsedSeconds: Double
    var learningRate: Float
    var trainLoss: Double
    var validationLoss: Double
    var isCheckpoint: Bool

    static let header = "epoch,steps,samples,elapsed_seconds,learning_rate,train_loss,validation_loss,is_checkpoint"
    var csv: String {
        "\(epoch),\(steps),\(samples),\((elapsedSeconds * 10).rounded() / 10),\(learningRate),\(trainLoss),\(validationLoss),\(isCheckpoint)"
    }
}
