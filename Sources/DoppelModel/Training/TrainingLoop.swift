import Foundation
import DoppelNN
import DoppelParallel

/// The model-specific half of a training run (a flat table's rows, a sequential table's
/// subjects); ``TrainingLoop`` is the other half, shared by every model.
protocol TrainingJob {
    associatedtype Architecture: Codable, Equatable, Sendable
    var architecture: Architecture { get }
    /// Training examples: rows of a flat table, subjects of sequential data.
    var trainingExamples: Int { get }
    /// Coded values per example, for the batch-size heuristic.
    var dataPointsPerExample: Int { get }
    /// The freshly initialised parameters of a run with `seed` (training-data-dependent
    /// initialisation such as output biases included).
    func initialStore(seed: UInt64) -> ParameterStore
    /// ADDS (overwrites: the shards start from zero) the gradient of the batch made of the
    /// training examples `examples` into `store.gradients`; returns the batch's loss. Random draws
    /// come from `(seed, epoch, step)` so a resumed run repeats them.
    func accumulate(_ store: inout ParameterStore, examples: ArraySlice<Int>, seed: UInt64, epoch: UInt64, step: UInt64,
                    options: TrainingOptions, scratch: ShardScratch) throws(ModelError) -> Double
    /// Zeroes the gradients of parameters that must not move (e.g. structural zeros).
    func maskGradients(_ store: inout ParameterStore)
    /// Mean validation loss per example, in evaluation mode, deterministic for a given `seed`.
    func validationLoss(_ store: ParameterStore, seed: UInt64, options: TrainingOptions, batchSize: Int) throws(ModelError) -> Double
    /// Writes `weights.bin` of `store`.
    func writeWeights(_ store: ParameterStore, to directory: String) throws(ModelError)
    /// Writes `model.json` (with the summary once training has ended) and, at the end, the weights.
    func writeModel(_ store: ParameterStore, training: TrainingSummary?, to directory: String) throws(ModelError)
}

/// The training loop of every model (reference engine §6, with its weaknesses fixed): AdamW,
/// plateau schedule (×0.5 after 2 bad epochs, floor 0.1× the initial rate), early stopping on the
/// validation loss (patience from the options; an epoch counts as progress when the loss falls by
/// the schedule's relative threshold), max epochs (exact epoch boundaries) and max time,
/// the best weights kept in `weights.bin` and a `checkpoint.bin` for resume (after the first
/// epoch, then at most every `checkpointInterval` seconds, and at the end), `progress.csv`
/// after every epoch.
///
/// Random streams come from `(seed, purpose, epoch, step, shard)`, so a resumed run draws exactly
/// what an uninterrupted run would have drawn: train 2 epochs + resume to 4 gives the same weights
/// file, bit for bit, as 4 epochs straight.
enum TrainingLoop {
    enum Stream: UInt64 { case initialisation = 1, shuffle, orders, dropout, validation, poisson, noise }

    static func run<Job: TrainingJob>(_ job: Job, options: TrainingOptions, directory: String, resume: Bool,
                                      progress: (TrainingProgress) -> Void) throws(ModelError) -> (best: ParameterStore, summary: TrainingSummary) {
        guard job.trainingExamples > 0 else { throw .noTrainingData }
        try options.privacy?.validate()
        guard options.maxEpochs >= 0, options.maxTime >= 0, options.earlyStoppingPatience >= 0, options.shards >= 1 else {
            throw .invalidOption("max epochs, max time and patience must be ≥ 0, shards ≥ 1")
        }
        try FileAccess.createDirectory(directory)
        // The shards are the parallelism; OpenBLAS threads on top would only contend for the cores.
        BLASRuntime.useSingleThread()
        let seed = options.seed
        var initRandom = SeededRandom.stream(seed: seed, [Stream.initialisation.rawValue])
        var store = job.initialStore(seed: initRandom.next())
        let checkpointPath = ModelFiles.path(directory, ModelFiles.checkpointFileName)
        let checkpoint = resume && FileAccess.exists(checkpointPath)
            ? try TrainingCheckpoint<Job.Architecture>.decode(try FileAccess.read(checkpointPath), store: store, path: checkpointPath) : nil
        // A resumed run keeps the heuristic choices of the run it continues (they depend on the machine's memory).
        let memory = options.availableMemory ?? ProcessInfo.processInfo.physicalMemory
        var batchSize = min(options.batchSize ?? checkpoint?.state.batchSize ?? TrainingHeuristics.batchSize(
            rows: job.trainingExamples, dataPointsPerRow: job.dataPointsPerExample, parameters: store.count, memory: memory),
            job.trainingExamples)
        guard batchSize >= 1 else { throw .invalidOption("batch size must be ≥ 1") }
        // Ranks of a process group use rank 0's (its machine's memory decided the heuristic).
        let group = options.group
        batchSize = Int(try agree(Int64(batchSize), group))
        var options = options
        if var privacy = options.privacy, privacy.calibrateNoise {
            let steps = options.maxEpochs * max(1, job.trainingExamples / batchSize)
            privacy.noiseMultiplier = RDPAccountant.noiseMultiplier(epsilon: privacy.maxEpsilon, delta: privacy.delta,
                                                                    sampleRate: Double(batchSize) / Double(job.trainingExamples), steps: steps)
            privacy.calibrateNoise = false
            options.privacy = privacy
        }
        let initialRate = options.learningRate ?? checkpoint?.state.initialLearningRate ?? TrainingHeuristics.learningRate(batchSize: batchSize)
        var optimizer = AdamW(store: store, learningRate: initialRate)
        var state = TrainingState(architecture: job.architecture, batchSize: batchSize, initialLearningRate: initialRate, seed: seed,
                                  shards: options.shards, epoch: 0, steps: 0, samples: 0, elapsedSeconds: 0,
                                  scheduler: ReduceLROnPlateau(initialRate: initialRate, factor: 0.5, patience: 2, minimumRate: 0.1 * initialRate),
                                  bestLoss: nil, bestEpoch: 0, badEpochs: 0, history: [],
                                  accountant: options.privacy.map { _ in RDPAccountant() })
        var bestWeights = store.values
        if let checkpoint {
            let saved = checkpoint.state
            guard saved.architecture == job.architecture, saved.batchSize == batchSize, saved.initialLearningRate == initialRate,
                  saved.seed == seed, saved.shards == options.shards else {
                throw .invalidFile(path: checkpointPath,
                                   reason: "checkpoint from a run with another architecture, batch size, learning rate, seed or shard count")
            }
            state = saved
            store.values = checkpoint.weights
            bestWeights = checkpoint.bestWeights
            optimizer = AdamW(store: store, restoring: checkpoint.optimizer)
        } else if group.isLeader {
            FileAccess.remove(checkpointPath)
            FileAccess.remove(ModelFiles.path(directory, ModelFiles.progressFileName))
        }
        if group.isLeader { try job.writeModel(store, training: nil, to: directory) }
        var run = Run(job: job, options: options, directory: directory, checkpointPath: checkpointPath, batchSize: batchSize,
                      store: store, optimizer: optimizer, state: state, bestWeights: bestWeights)
        let stopReason = try run.epochs(progress: progress)
        var best = run.store
        best.values = run.bestWeights
        let summary = TrainingSummary(epochs: run.state.epoch, steps: run.state.steps, samples: run.state.samples,
                                      bestEpoch: run.state.bestEpoch, bestValidationLoss: run.state.bestLoss, batchSize: batchSize,
                                      initialLearningRate: initialRate, seed: seed, shards: options.shards, elapsedSeconds: run.elapsed(),
                                      stopReason: stopReason,
                                      privacyEpsilon: options.privacy.flatMap { p in run.state.accountant.map { $0.epsilon(delta: p.delta).epsilon } },
                                      privacyDelta: options.privacy?.delta, statisticsEpsilon: options.statisticsEpsilon,
                                      privacyNoiseMultiplier: options.privacy?.noiseMultiplier)
        if group.isLeader { try job.writeModel(best, training: summary, to: directory) }
        return (best, summary)
    }

    /// Rank 0's `value` on every rank of `group`.
    static func agree(_ value: Int64, _ group: any ProcessGroup) throws(ModelError) -> Int64 {
        do { return try group.agree(value) } catch { throw .distributed(error.description) }
    }

    /// Why training stops after this step or at this epoch's start, decided by rank 0 for all
    /// ranks (their clocks differ): 0 go on, 1 time is up, 2 stop requested.
    static func stopDecision(timeUp: Bool, stopRequested: Bool, _ group: any ProcessGroup) throws(ModelError) -> StopReason? {
        switch try agree(timeUp ? 1 : stopRequested ? 2 : 0, group) {
        case 1: .maxTime
        case 2: .cancelled
        default: nil
        }
    }

    /// The state of a run between steps, and its epochs.
    private struct Run<Job: TrainingJob> {
        let job: Job
        let options: TrainingOptions
        let directory: String
        let checkpointPath: String
        let batchSize: Int
        var store: ParameterStore
        var optimizer: AdamW
        var state: TrainingState<Job.Architecture>
        var bestWeights: [Float]
        let started = Date()
        let elapsedBefore: Double
        var lastReport = Date.distantPast
        var lossSinceReport = 0.0, stepsSinceReport = 0
        /// When `checkpoint.bin` was last written (`nil`: not yet in this process).
        var lastCheckpoint: Date?
        /// The last completed epoch's checkpoint when it has not been written yet.
        var pendingCheckpoint: TrainingCheckpoint<Job.Architecture>?
        /// Whether the best weights changed since `weights.bin` was last written.
        var bestWeightsUnwritten = false

        init(job: Job, options: TrainingOptions, directory: String, checkpointPath: String, batchSize: Int, store: ParameterStore,
             optimizer: AdamW, state: TrainingState<Job.Architecture>, bestWeights: [Float]) {
            self.job = job
            self.options = options
            self.directory = directory
            self.checkpointPath = checkpointPath
            self.batchSize = batchSize
            self.store = store
            self.optimizer = optimizer
            self.state = state
            self.bestWeights = bestWeights
            elapsedBefore = state.elapsedSeconds
        }

        func elapsed() -> Double { elapsedBefore + Date().timeIntervalSince(started) }

        /// Epochs until max epochs, max time, a stop request or early stopping; returns which.
        /// The last completed epoch's checkpoint is on disk when it returns.
        mutating func epochs(progress: (TrainingProgress) -> Void) throws(ModelError) -> StopReason {
            let reason = try runEpochs(progress: progress)
            try writePendingCheckpoint()
            return reason
        }

        private mutating func runEpochs(progress: (TrainingProgress) -> Void) throws(ModelError) -> StopReason {
            let seed = options.seed
            let stepsPerEpoch = max(1, job.trainingExamples / batchSize)
            let scratch = ShardScratch()
            if state.badEpochs > options.earlyStoppingPatience { return .earlyStopping }
            while state.epoch < options.maxEpochs {
                if try TrainingLoop.stopDecision(timeUp: elapsed() > options.maxTime, stopRequested: false, options.group) != nil {
                    return .maxTime
                }
                let epoch = UInt64(state.epoch)
                var shuffle = SeededRandom.stream(seed: seed, [Stream.shuffle.rawValue, epoch])
                // DP-SGD draws its own Poisson sample in `accumulate` and uses only the batch's size.
                let permutation = options.privacy == nil ? shuffle.permutation(job.trainingExamples) : Array(0..<job.trainingExamples)
                var epochLoss = 0.0
                for step in 0..<stepsPerEpoch {
                    if let privacy = options.privacy, var accountant = state.accountant {
                        // Stop before the step that would spend more than the budget.
                        accountant.step(noiseMultiplier: privacy.noiseMultiplier, sampleRate: Double(batchSize) / Double(job.trainingExamples))
                        if accountant.epsilon(delta: privacy.delta).epsilon > privacy.maxEpsilon {
                            bestWeights = store.values  // the last step's weights (see endEpoch)
                            return .privacyBudget
                        }
                        state.accountant = accountant
                    }
                    let examples = permutation[(step * batchSize)..<((step + 1) * batchSize)]
                    let loss = try job.accumulate(&store, examples: examples, seed: seed, epoch: epoch, step: UInt64(step),
                                                  options: options, scratch: scratch)
                    job.maskGradients(&store)
                    optimizer.update(&store, workers: options.workers)
                    epochLoss += loss
                    report(stepLoss: loss, fraction: Double(step + 1) / Double(stepsPerEpoch), progress: progress)
                    if let reason = try TrainingLoop.stopDecision(timeUp: elapsed() > options.maxTime, stopRequested: options.shouldStop(),
                                                                   options.group) {
                        if state.bestLoss == nil {
                            // Stopped inside the first epoch: keep these weights as the best so far.
                            bestWeights = store.values
                            state.bestLoss = try job.validationLoss(store, seed: seed, options: options, batchSize: batchSize)
                        }
                        return reason
                    }
                }
                try endEpoch(trainLoss: epochLoss / Double(stepsPerEpoch), progress: progress)
                if state.badEpochs > options.earlyStoppingPatience { return .earlyStopping }
            }
            return .maxEpochs
        }

        /// Writes the last completed epoch's checkpoint, and `weights.bin` when the best weights
        /// changed since it was written (the copies in memory are copy-on-write snapshots).
        /// Only rank 0 of a process group writes files.
        mutating func writePendingCheckpoint() throws(ModelError) {
            guard let checkpoint = pendingCheckpoint, options.group.isLeader else { return }
            if bestWeightsUnwritten {
                var best = store
                best.values = checkpoint.bestWeights
                try job.writeWeights(best, to: directory)
                bestWeightsUnwritten = false
            }
            try FileAccess.writeAtomically(try checkpoint.encode(store: store), to: checkpointPath)
            pendingCheckpoint = nil
            lastCheckpoint = Date()
        }

        /// Counts a step and reports after the first step and then every `progressInterval` seconds.
        mutating func report(stepLoss: Double, fraction: Double, progress: (TrainingProgress) -> Void) {
            lossSinceReport += stepLoss
            stepsSinceReport += 1
            state.steps += 1
            state.samples += batchSize
            guard state.steps == 1 || Date().timeIntervalSince(lastReport) >= options.progressInterval else { return }
            progress(TrainingLoop.report(state, stepFraction: fraction, options: options, rate: optimizer.learningRate,
                                         trainLoss: lossSinceReport / Double(stepsSinceReport), validation: nil, checkpoint: false,
                                         elapsed: elapsed()))
            lastReport = Date()
            lossSinceReport = 0
            stepsSinceReport = 0
        }

        /// Validation, schedule, best weights, progress file and checkpoint at the end of an epoch.
        mutating func endEpoch(trainLoss: Double, progress: (TrainingProgress) -> Void) throws(ModelError) {
            state.epoch += 1
            let validationLoss = try job.validationLoss(store, seed: options.seed, options: options, batchSize: batchSize)
            // Early stopping counts an epoch as progress by the schedule's own test: the loss fell
            // below the last such loss by the relative threshold (1e-4). Smaller steps still
            // update the best weights but do not extend training.
            let progressed = validationLoss < state.scheduler.best * (1 - state.scheduler.threshold)
            optimizer.learningRate = state.scheduler.step(validationLoss)
            // With DP-SGD the weights are the last step's: choosing among epochs by the validation
            // rows would use data that the privacy guarantee does not cover.
            let improved = options.privacy != nil || (validationLoss.isFinite && validationLoss < (state.bestLoss ?? .infinity))
            if improved {
                state.bestLoss = validationLoss
                state.bestEpoch = state.epoch
                bestWeights = store.values
                bestWeightsUnwritten = true
            }
            state.badEpochs = progressed || options.privacy != nil ? 0 : state.badEpochs + 1
            state.elapsedSeconds = elapsed()
            state.history.append(ProgressRow(epoch: state.epoch, steps: state.steps, samples: state.samples,
                                             elapsedSeconds: state.elapsedSeconds, learningRate: optimizer.learningRate,
                                             trainLoss: trainLoss, validationLoss: validationLoss, isCheckpoint: improved))
            if options.group.isLeader { try TrainingLoop.writeProgress(state.history, directory: directory) }
            pendingCheckpoint = TrainingCheckpoint(state: state, weights: store.values, bestWeights: bestWeights, optimizer: optimizer.state)
            if lastCheckpoint.map({ Date().timeIntervalSince($0) >= options.checkpointInterval }) ?? true {
                try writePendingCheckpoint()
            }
            progress(TrainingLoop.report(state, stepFraction: 0, options: options, rate: optimizer.learningRate, trainLoss: trainLoss,
                                         validation: validationLoss, checkpoint: improved, elapsed: state.elapsedSeconds))
            lastReport = Date()
            lossSinceReport = 0
            stepsSinceReport = 0
        }
    }

    static func report<A>(_ state: TrainingState<A>, stepFraction: Double, options: TrainingOptions, rate: Float,
                          trainLoss: Double, validation: Double?, checkpoint: Bool, elapsed: Double) -> TrainingProgress {
        let epoch = Double(state.epoch) + (validation == nil ? stepFraction : 0)
        let perEpoch = epoch > 0 ? elapsed / epoch : 0
        let remaining = max(0, min(options.maxTime - elapsed, perEpoch * (Double(options.maxEpochs) - epoch)))
        return TrainingProgress(epoch: epoch, maxEpochs: options.maxEpochs, steps: state.steps, samples: state.samples,
                                elapsedSeconds: elapsed, remainingSeconds: remaining, learningRate: rate, trainLoss: trainLoss,
                                validationLoss: validation, isCheckpoint: checkpoint)
    }

    static func writeProgress(_ rows: [ProgressRow], directory: String) throws(ModelError) {
        let text = ([ProgressRow.header] + rows.map(\.csv)).joined(separator: "\n") + "\n"
        try FileAccess.writeAtomically(Array(text.utf8), to: ModelFiles.path(directory, ModelFiles.progressFileName))
    }
}
