#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Doppel
import DoppelParallel
import DoppelModel
import Foundation
import Synchronization

/// `doppel train`: the flat or sequential model learns the encoded partitions of a workspace.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the generative model on the encoded data (ModelStore/model-data).",
        discussion: """
        Needs `doppel encode`. Flat tables and sequential data (a target table of events with \
        its context table). Early stopping on the validation rows, the best weights in \
        weights.bin, a checkpoint after the first epoch, then at most every 10 seconds and when \
        training stops: --resume continues an interrupted run (the result equals an \
        uninterrupted one). Ctrl-C stops after the current step and keeps the best model.
        """
    )

    @Option(help: "Workspace folder encoded by `doppel encode`.")
    var workspace: String

    @Option(help: "Model size: S, M or L.")
    var model: String = "M"

    @Option(parsing: .unconditional, help: "Maximum number of epochs.")
    var maxEpochs: Int = 100

    @Option(parsing: .unconditional, help: "Maximum training time in minutes.")
    var maxTime: Double = 240

    @Option(parsing: .unconditional, help: "Rows per step (default: from the data size).")
    var batchSize: Int?

    @Option(parsing: .unconditional, help: "Initial learning rate (default: from the batch size).")
    var learningRate: Float?

    @Option(parsing: .unconditional, help: "Random seed: the same seed gives the same weights.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "DP-SGD: train with differential privacy and stop before ε exceeds this (flat tables).")
    var maxEpsilon: Double?

    @Option(parsing: .unconditional, help: "DP-SGD: δ of the (ε, δ) guarantee.")
    var delta: Double = 1e-5

    @Option(parsing: .unconditional, help: "DP-SGD: noise standard deviation as a multiple of --max-grad-norm, or 'auto': the least noise whose --max-epochs epochs spend exactly --max-epsilon.")
    var noiseMultiplier: String = "1.5"

    @Option(parsing: .unconditional, help: "DP-SGD: every row's gradient is clipped to this L2 norm.")
    var maxGradNorm: Double = 1

    @Option(parsing: .unconditional, help: "Every batch is split into this many fixed shards whose gradients are summed in a fixed order: the weights depend on it, not on --jobs or the number of MPI ranks (default: 2, or the rank count under MPI).")
    var shards: Int?

    @Flag(help: "Continue an interrupted run from checkpoint.bin.")
    var resume = false

    @OptionGroup var executor: ExecutorOptions

    @Flag(help: "Print no progress.")
    var quiet = false

    func run() throws {
        let options = try trainOptions(workspace: workspace, model: model, maxEpochs: maxEpochs, maxTime: maxTime, seed: seed, executor: try executor.configuration())
        var configured = options
        configured.batchSize = batchSize
        configured.learningRate = learningRate
        configured.resume = resume
        if let maxEpsilon {
            let calibrate = noiseMultiplier.lowercased() == "auto"
            guard calibrate || Double(noiseMultiplier) != nil else {
                throw ValidationError("--noise-multiplier expects a number or 'auto', got '\(noiseMultiplier)'")
            }
            var privacy = DPSGD(noiseMultiplier: Double(noiseMultiplier) ?? 0, maxGradNorm: maxGradNorm, maxEpsilon: maxEpsilon, delta: delta)
            privacy.calibrateNoise = calibrate
            configured.privacy = privacy
        }
        let group = try MPILaunch.processGroup()
        configured.group = group
        configured.shards = shards ?? max(2, group.size)
        let progress = TerminalProgress(quiet: quiet || !group.isLeader)
        if let banner = MPILaunch.banner(group), group.isLeader, !quiet { progress.reporter.message(banner) }
        let summary = try MPILaunch.run(group) { try runReportingErrors { try Train.run(configured, progress: progress.reporter) } }
        progress.finish()
        if group.isLeader { print(TrainCommand.describe(summary)) }
    }

    static func describe(_ summary: TrainSummary) -> String {
        let t = summary.training
        var lines = ["Trained \(summary.parameterCount) parameters on \(summary.trainingRows) rows × \(summary.subColumnCount) sub-columns → \(summary.directory)"]
        var line = "  \(t.epochs) epoch(s), \(t.steps) steps, batch \(t.batchSize), lr \(t.initialLearningRate), stopped by \(t.stopReason.rawValue), \(Int(t.elapsedSeconds.rounded()))s"
        if let loss = t.bestValidationLoss { line += "; best epoch \(t.bestEpoch), validation loss \((loss * 10_000).rounded() / 10_000)" }
        lines.append(line)
        if let epsilon = t.privacyEpsilon, let delta = t.privacyDelta {
            let total = epsilon + (summary.contextPrivacyEpsilon ?? 0)
            let parts = summary.contextPrivacyEpsilon.map { String(format: " (sequences %.3f + context table %.3f)", epsilon, $0) } ?? ""
            lines.append(String(format: "  DP-SGD: (ε, δ) = (%.3f, %g) spent by the model%@ (RDP accountant, noise multiplier %.4g)", total, delta, parts,
                                t.privacyNoiseMultiplier ?? .nan))
            if let statistics = t.statisticsEpsilon {
                lines.append(String(format: "  release: ε = %.3f (model) + %.3f (statistics, analyze --dp-epsilon) = %.3f at δ = %g", total, statistics, total + statistics, delta))
            } else {
                lines.append("  the statistics were not made differentially private (analyze --dp-epsilon): value protection is no DP guarantee")
            }
        }
        if summary.validatedOnTrainingRows { lines.append("  no validation rows: validated on the training rows, no early stopping") }
        return lines.joined(separator: "\n")
    }
}

/// Train options from the options that `train` and `synthesize` share; installs the Ctrl-C handler.
func trainOptions(workspace: String, model: String, maxEpochs: Int, maxTime: Double, seed: UInt64, executor: ExecutorConfiguration) throws -> TrainOptions {
    guard let size = ModelSize(rawValue: model.uppercased()) else { throw ValidationError("--model expects S, M or L, got '\(model)'") }
    var options = TrainOptions(workspace: workspace)
    options.size = size
    options.maxEpochs = maxEpochs
    options.maxTime = maxTime * 60
    options.seed = seed
    options.executor = executor
    StopRequest.install()
    options.shouldStop = { StopRequest.trainingAsks() }
    return options
}

/// Ctrl-C during training: the first SIGINT asks the trainer to stop after its current step
/// (the best model is kept); a second one, or one before training has begun, ends the process.
enum StopRequest {
    private static let requested = Atomic<Bool>(false)
    private static let training = Atomic<Bool>(false)

    /// Called by the trainer after every step: marks training as running, says whether to stop.
    static func trainingAsks() -> Bool {
        training.store(true, ordering: .relaxed)
        return requested.load(ordering: .relaxed)
    }

    static func install() {
        signal(SIGINT) { _ in
            if !StopRequest.training.load(ordering: .relaxed) || StopRequest.requested.exchange(true, ordering: .relaxed) { _exit(130) }
            let text: StaticString = "\nstopping after the current step (Ctrl-C again to abort)\n"
            _ = write(STDERR_FILENO, text.utf8Start, text.utf8CodeUnitCount)  // no allocation in a signal handler
        }
    }
}
