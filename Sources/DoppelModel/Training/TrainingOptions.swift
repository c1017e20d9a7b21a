import Foundation
import DoppelParallel

/// Settings of one training run. `nil` batch size / learning rate mean the reference engine's
/// heuristics (see ``TrainingHeuristics``).
public struct TrainingOptions: Sendable {
    /// Stop after this many complete epochs.
    public var maxEpochs: Int = 100
    /// Stop when the training time (summed over resumed runs) exceeds this many seconds.
    public var maxTime: Double = 14_400
    public var batchSize: Int? = nil
    public var learningRate: Float? = nil
    public var seed: UInt64 = 0
    /// Stop when the validation loss has not improved for more than this many epochs.
    public var earlyStoppingPatience: Int = 4
    /// Threads for the data-parallel shards and the validation pass (results do not depend on it).
    public var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Every batch is split into this many fixed slices whose gradients are summed in order.
    /// Results depend on this number (floating-point summation order), not on `workers`.
    public var shards: Int = 2
    /// The processes that train together (the ranks of an MPI job): each runs its block of every
    /// batch's shards, the gradients are summed in the one-process order, rank 0 decides when to
    /// stop and writes the files. The weights do not depend on the group's size.
    public var group: any ProcessGroup = SingleProcess()
    /// Memory figure for the batch-size heuristic; `nil` = physical memory.
    public var availableMemory: UInt64? = nil
    /// Minimum seconds between two step progress reports (epoch ends are always reported).
    public var progressInterval: Double = 10
    /// Minimum seconds between two `checkpoint.bin` writes after the first epoch's. The state of
    /// the last completed epoch is always written when training stops, so only a crash
    /// (`kill -9`) loses up to this much training; short epochs no longer spend their time
    /// encoding and syncing checkpoints. 0 writes one after every epoch.
    public var checkpointInterval: Double = 10
    /// DP-SGD (flat models): per-sample clipping, Gaussian noise, Poisson sampling and the
    /// accountant's budget; `nil` trains without a privacy guarantee.
    public var privacy: DPSGD? = nil
    /// The ε the statistics of this data already spent (analyze's differentially private value
    /// protection), recorded in the summary so that `model.json` shows the whole release's cost.
    public var statisticsEpsilon: Double? = nil
    /// Asked after every step; `true` stops training like the time budget does (best weights
    /// kept, `checkpoint.bin` from the last completed epoch left for a resume). E.g. Ctrl-C.
    public var shouldStop: @Sendable () -> Bool = { false }

    public init(maxEpochs: Int = 100, maxTime: Double = 14_400, batchSize: Int? = nil, learningRate: Float? = nil,
                seed: UInt64 = 0, earlyStoppingPatience: Int = 4) {
        self.maxEpochs = maxEpochs
        self.maxTime = maxTime
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
        self.earlyStoppingPatience = earlyStoppingPatience
    }
}

/// DP-SGD's settings (Abadi et al., "Deep Learning with Differential Privacy", 2016): every
/// step includes each training row with probability `q = batch size / rows` (Poisson sampling),
/// clips each row's gradient to L2 norm `maxGradNorm`, adds Gaussian noise of standard deviation
/// `noiseMultiplier · maxGradNorm` to their sum and divides by the expected batch size; the
/// ``RDPAccountant`` stops training before ε at `delta` would exceed `maxEpsilon`.
public struct DPSGD: Sendable, Equatable, Codable {
    public var noiseMultiplier: Double
    public var maxGradNorm: Double
    public var maxEpsilon: Double
    public var delta: Double
    /// Replace `noiseMultiplier` at the start of training by the smallest one whose
    /// `maxEpochs` epochs spend exactly the budget (``RDPAccountant/noiseMultiplier(epsilon:delta:sampleRate:steps:tolerance:)``):
    /// the most steps, or the least noise, that the budget allows.
    public var calibrateNoise = false

    public init(noiseMultiplier: Double = 1.5, maxGradNorm: Double = 1, maxEpsilon: Double = 10, delta: Double = 1e-5) {
        self.noiseMultiplier = noiseMultiplier
        self.maxGradNorm = maxGradNorm
        self.maxEpsilon = maxEpsilon
        self.delta = delta
    }

    func validate() throws(ModelError) {
        guard calibrateNoise || noiseMultiplier > 0, maxGradNorm > 0, maxEpsilon > 0, delta > 0, delta < 1 else {
            throw .invalidOption("DP-SGD needs noise multiplier > 0, max grad norm > 0, max epsilon > 0 and delta in (0, 1)")
        }
    }
}

/// The batch-size and learning-rate heuristics of the reference engine (docs/model.md).
public enum TrainingHeuristics {
    /// `2^⌊log2(rows/64)⌋` (at least 64 steps per epoch) clipped to `[8, max]`, where `max`
    /// shrinks with the parameter count and data points per row, scaled by available memory.
    public static func batchSize(rows: Int, dataPointsPerRow: Int, parameters: Int, memory: UInt64) -> Int {
        let scale: Double = memory >= 32 << 30 ? 2 : (memory >= 8 << 30 ? 1 : 0.5)
        let maximum: Double = switch (parameters, dataPointsPerRow) {
        case let (p, d) where p > 1_000_000_000 || d > 100_000: 8
        case let (p, d) where p > 100_000_000 || d > 10_000: 32
        case let (p, d) where p > 10_000_000 || d > 1_000: 128
        case let (p, d) where p > 1_000_000 || d > 100: 512
        default: 2048
        }
        let target = rows >= 128 ? 1 << Int(log2(Double(rows) / 64).rounded(.down)) : 8
        let clipped = min(max(target, 8), Int(maximum * scale))
        return max(1, min(clipped, rows))
    }

    /// `round(0.001 · √(batch/32), 5)`.
    public static func learningRate(batchSize: Int) -> Float {
        Float((0.001 * (Double(batchSize) / 32).squareRoot() * 100_000).rounded() / 100_000)
    }
}
