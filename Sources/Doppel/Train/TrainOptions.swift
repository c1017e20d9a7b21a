import DoppelModel
import DoppelParallel
import Foundation

/// What `doppel train` needs to know.
public struct TrainOptions: Sendable {
    public var workspace: String
    public var size: ModelSize = .medium
    public var maxEpochs: Int = 100
    /// Wall-clock budget in seconds (summed over resumed runs).
    public var maxTime: Double = 14_400
    /// Overrides of the batch size and learning rate heuristics.
    public var batchSize: Int?
    public var learningRate: Float?
    public var seed: UInt64 = 0
    /// DP-SGD (flat tables); `nil`: no privacy guarantee for the model.
    public var privacy: DPSGD?
    /// Continue from `checkpoint.bin` of an interrupted run instead of starting afresh.
    public var resume = false
    /// How parallel work runs (`--backend`, `--jobs`). Model passes need shared memory, so they
    /// run on threads under `processes`, on one thread under `sequential`.
    public var executor = ExecutorConfiguration()
    /// The processes that train together (ranks of an MPI job; rank 0 takes the workspace lock
    /// and writes the files) and the shards every batch is split into (the weights depend on the
    /// shard count, not on the number of ranks; a multiple of the rank count spreads them evenly).
    public var group: any ProcessGroup = SingleProcess()
    public var shards = 2
    /// Asked after every step; `true` ends training gracefully (e.g. after Ctrl-C).
    public var shouldStop: @Sendable () -> Bool = { false }

    public init(workspace: String) { self.workspace = workspace }

    /// Refuses settings that cannot train a model: no epochs or no time (which would write an
    /// untrained model), an empty batch, a learning rate that is not a positive finite number of at
    /// most 1 (which would train to NaN).
    public func validate() throws(PipelineError) {
        guard maxEpochs >= 1 else { throw .invalidOption("--max-epochs must be ≥ 1, got \(maxEpochs)") }
        guard maxTime > 0, maxTime.isFinite else { throw .invalidOption("--max-time must be a positive number of minutes, got \(maxTime / 60)") }
        guard shards >= 1 else { throw .invalidOption("--shards must be ≥ 1, got \(shards)") }
        if group.size & (group.size - 1) != 0 {
            throw .invalidOption("\(group.size) MPI ranks: training needs a power-of-two rank count (1, 2, 4, 8, …) for its gradient sum to equal the one-process sum bit for bit")
        }
        if group.size > 1, shards % group.size != 0 {
            throw .invalidOption("--shards \(shards) does not split evenly over \(group.size) ranks: use a multiple of \(group.size) (and the same --shards for a one-process run that should give the same weights)")
        }
        if let batchSize, batchSize < 1 { throw .invalidOption("--batch-size must be ≥ 1, got \(batchSize)") }
        if let learningRate, !(learningRate > 0 && learningRate <= 1) {
            throw .invalidOption("--learning-rate must lie in (0, 1], got \(learningRate)")
        }
    }
}

/// What training did, for the summary a user sees.
public struct TrainSummary: Sendable {
    public var training: TrainingSummary
    public var parameterCount: Int
    public var subColumnCount: Int
    public var trainingRows: Int
    public var validationRows: Int
    /// `true` when the workspace had no validation rows and the training rows stood in for them.
    public var validatedOnTrainingRows: Bool
    public var directory: String
    /// Sequential data with DP-SGD: the ε the context table's model spent (the release spends
    /// the sum of this and `training.privacyEpsilon`).
    public var contextPrivacyEpsilon: Double? = nil
}

extension Workspace {
    /// `ModelStore/model-data`: `model.json`, `weights.bin`, `checkpoint.bin`, `progress.csv`.
    public var modelDataDirectory: URL { modelStore.appendingPathComponent("model-data", isDirectory: true) }
    /// `ModelStore/ctx-model-data`: the flat model of a sequential workspace's context table.
    public var contextModelDataDirectory: URL { modelStore.appendingPathComponent("ctx-model-data", isDirectory: true) }
}
