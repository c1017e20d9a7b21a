import Foundation
import DoppelNN
import DoppelParallel

/// Training of the sequential model: ``TrainingLoop`` (the same schedule, early stopping,
/// checkpoints and bit-exact resume as the flat model) over the SUBJECTS of sequential data.
/// A batch is a set of subjects, gathered by index into one time-major ``SequenceBatch``;
/// random streams `(seed, orders, epoch, step, shard)` and `(seed, dropout, epoch, step, shard)`.
public enum SequentialTrainer {
    /// The result of a run: the best model (lowest validation loss) and the training summary.
    public struct Result: Sendable {
        public var model: SequentialModel
        public var summary: TrainingSummary
    }

    /// Trains on `training` with early stopping on `validation`; `maxSteps` caps the steps of a
    /// batch (the longest sequence plus its end row, at most).
    public static func train(architecture: SequentialModelArchitecture, training: SequenceData, validation: SequenceData, maxSteps: Int,
                             options: TrainingOptions, directory: String, resume: Bool = false,
                             progress: (TrainingProgress) -> Void = { _ in }) throws(ModelError) -> Result {
        try architecture.validate()
        let S = architecture.target.schema.subColumnCount, Sc = architecture.context.count
        for data in [training, validation] where data.subColumnCount != S || data.contextSubColumnCount != Sc {
            throw .shapeMismatch("sequences with \(data.subColumnCount) target and \(data.contextSubColumnCount) context sub-columns for a model of \(S) and \(Sc)")
        }
        guard training.subjectCount > 0 else { throw .noTrainingData }
        guard validation.subjectCount > 0 else { throw .noValidationData }
        guard maxSteps >= 1 else { throw .invalidOption("the maximum number of steps per batch must be ≥ 1") }
        let job = SequentialTrainingJob(architecture: architecture, training: training, validation: validation, maxSteps: maxSteps)
        let (best, summary) = try TrainingLoop.run(job, options: options, directory: directory, resume: resume, progress: progress)
        var model = SequentialModel(architecture: architecture, seed: 0)
        model.store.values = best.values
        return Result(model: model, summary: summary)
    }
}

/// The sequential model's half of a training run.
struct SequentialTrainingJob: TrainingJob {
    let architecture: SequentialModelArchitecture
    let training: SequenceData
    let validation: SequenceData
    let maxSteps: Int
    private let network: SequentialNetwork

    init(architecture: SequentialModelArchitecture, training: SequenceData, validation: SequenceData, maxSteps: Int) {
        self.architecture = architecture
        self.training = training
        self.validation = validation
        self.maxSteps = maxSteps
        // The layout alone: the parameters live in the loop's store.
        var layout = ParameterStore.layoutOnly()
        network = SequentialNetwork(architecture: architecture, store: &layout)
    }

    var trainingExamples: Int { training.subjectCount }
    /// Coded values of an average subject: its events and end row times the sub-columns.
    var dataPointsPerExample: Int { max(1, training.rowCount * training.subColumnCount / max(training.subjectCount, 1)) }

    func initialStore(seed: UInt64) -> ParameterStore { SequentialModel(architecture: architecture, seed: seed).store }

    func accumulate(_ store: inout ParameterStore, examples: ArraySlice<Int>, seed: UInt64, epoch: UInt64, step: UInt64,
                    options: TrainingOptions, scratch: ShardScratch) throws(ModelError) -> Double {
        if step % Self.pageReleaseSteps == 0 { training.releasePages?() }
        if let privacy = options.privacy {
            return try privateAccumulate(&store, batchSize: examples.count, privacy: privacy, seed: seed, epoch: epoch, step: step,
                                         options: options, scratch: scratch)
        }
        let subjects = Array(examples), count = max(1, min(options.shards, subjects.count))
        let network = network, data = training, maxSteps = maxSteps, positional = architecture.positional
        let columns = architecture.target.columns.count, dropoutRate = architecture.target.dropout
        return try ShardedGradients.run(store: &store, shards: count, workers: options.workers, group: options.group, scratch: scratch,
                                        lossCount: network.heads.subColumnCount) { shard, values, target in
            let lo = subjects.count * shard / count, hi = subjects.count * (shard + 1) / count
            var orders = SeededRandom.stream(seed: seed, [TrainingLoop.Stream.orders.rawValue, epoch, step, UInt64(shard)])
            let batch = SequenceBatch.make(from: data, subjects: Array(subjects[lo..<hi]), maxSteps: maxSteps, positional: positional,
                                           columns: columns, random: &orders)
            var dropout = Dropout(probability: dropoutRate,
                                  random: SeededRandom.stream(seed: seed, [TrainingLoop.Stream.dropout.rawValue, epoch, step, UInt64(shard)]))
            return Result { () throws(NNError) -> [Double] in
                try network.pass(values: values, gradients: target, batch: batch, dropout: &dropout, divisor: Float(subjects.count))
            }
        }.reduce(0, +)
    }

    func maskGradients(_ store: inout ParameterStore) { network.heads.maskGradients(&store) }

    /// DP-SGD with one subject (a whole sequence with its context) as the unit of privacy: a
    /// Poisson sample of subjects; each subject's gradient computed on its own (the recurrence
    /// reuses its weights at every event, so the flat model's per-row norms do not apply),
    /// its structural zeros dropped, clipped to `maxGradNorm` and added; then the noise. The sum
    /// is divided by the expected number of subjects.
    private func privateAccumulate(_ store: inout ParameterStore, batchSize: Int, privacy: DPSGD, seed: UInt64, epoch: UInt64,
                                   step: UInt64, options: TrainingOptions, scratch: ShardScratch) throws(ModelError) -> Double {
        let rate = Double(batchSize) / Double(training.subjectCount)
        let subjects = FlatTrainingJob.poissonSample(rows: training.subjectCount, rate: rate, seed: seed, epoch: epoch, step: step)
        let expected = rate * Double(training.subjectCount)
        let network = network, data = training, maxSteps = maxSteps, positional = architecture.positional
        let columns = architecture.target.columns.count, dropoutRate = architecture.target.dropout
        let count = max(1, min(options.shards, subjects.count)), parameters = store.count, clip = privacy.maxGradNorm
        let zeroRuns = network.heads.zeroRuns
        var losses = [Double](repeating: 0, count: network.heads.subColumnCount)
        if subjects.isEmpty {
            store.zeroGradients()
        } else {
            losses = try ShardedGradients.run(store: &store, shards: count, workers: options.workers, group: options.group,
                                              scratch: scratch, lossCount: network.heads.subColumnCount) { shard, values, target in
                let lo = subjects.count * shard / count, hi = subjects.count * (shard + 1) / count
                var orders = SeededRandom.stream(seed: seed, [TrainingLoop.Stream.orders.rawValue, epoch, step, UInt64(shard)])
                var dropout = Dropout(probability: dropoutRate,
                                      random: SeededRandom.stream(seed: seed, [TrainingLoop.Stream.dropout.rawValue, epoch, step, UInt64(shard)]))
                let own = UnsafeMutablePointer<Float>.allocate(capacity: parameters)
                defer { own.deallocate() }
                return Result { () throws(NNError) -> [Double] in
                    var total = [Double](repeating: 0, count: network.heads.subColumnCount)
                    for subject in subjects[lo..<hi] {
                        let batch = SequenceBatch.make(from: data, subjects: [subject], maxSteps: maxSteps, positional: positional,
                                                       columns: columns, random: &orders)
                        own.update(repeating: 0, count: parameters)
                        let loss = try network.pass(values: values, gradients: own, batch: batch, dropout: &dropout, divisor: 1)
                        for j in total.indices { total[j] += loss[j] / Double(subjects.count) }
                        for run in zeroRuns { (own + run.lowerBound).update(repeating: 0, count: run.count) }
                        let norm = VectorMath.sumOfSquares(own, count: parameters).squareRoot()
                        VectorMath.add(target, own, scaledBy: Float(min(1, clip / max(norm, 1e-12)) / expected), count: parameters)
                    }
                    return total
                }
            }
        }
        var noise = SeededRandom.stream(seed: seed, [TrainingLoop.Stream.noise.rawValue, epoch, step])
        let scale = privacy.noiseMultiplier * privacy.maxGradNorm / expected, workers = options.workers
        store.gradients.withUnsafeMutableBufferPointer { g in
            GaussianNoise.add(to: g.baseAddress!, count: g.count, scale: scale, seed: noise.next(), workers: workers)
        }
        return losses.reduce(0, +)
    }

    /// Mean per-subject loss of the validation sequences in evaluation mode; chunks of subjects
    /// run in parallel, and on the ranks of a process group (their column orders from `(seed, validation, chunk)`) and are summed in order.
    func validationLoss(_ store: ParameterStore, seed: UInt64, options: TrainingOptions, batchSize: Int) throws(ModelError) -> Double {
        let subjects = validation.subjectCount, chunk = max(1, min(subjects, batchSize))
        let count = (subjects + chunk - 1) / chunk
        let network = network, data = validation, maxSteps = maxSteps, positional = architecture.positional
        let columns = architecture.target.columns.count
        let total = try store.values.withUnsafeBufferPointer { v throws(ModelError) in
            let values = SharedPointer(v.baseAddress!)
            return try ParallelLoop.sum(count, workers: options.workers, group: options.group) { i in
                let lo = i * chunk, hi = min(subjects, lo + chunk)
                var orders = SeededRandom.stream(seed: seed, [TrainingLoop.Stream.validation.rawValue, UInt64(i)])
                let batch = SequenceBatch.make(from: data, subjects: Array(lo..<hi), maxSteps: maxSteps, positional: positional,
                                               columns: columns, random: &orders)
                var dropout = Dropout.evaluation
                return Result { () throws(ModelError) -> Double in
                    do throws(NNError) {
                        return try network.pass(values: values.pointer, gradients: nil, batch: batch, dropout: &dropout, divisor: 1).reduce(0, +)
                    } catch { throw .shapeMismatch(error.description) }
                }
            }
        }
        validation.releasePages?()
        return total / Double(subjects)
    }

    /// Steps between two hand-backs of the mapped training pages. A step touches a page of every
    /// sub-column for each subject, and the kernel maps up to 16 neighbouring cached pages per
    /// fault, so 128 subjects of 95 sub-columns can make up to ~0.8 GB resident per step: this
    /// bounds the resident part only loosely (measured in BENCHMARKS.md, "Sequential data at scale").
    static let pageReleaseSteps: UInt64 = 8

    func writeWeights(_ store: ParameterStore, to directory: String) throws(ModelError) {
        try FileAccess.writeAtomically(WeightsFile.encode(store), to: ModelFiles.path(directory, ModelFiles.weightsFileName))
    }

    func writeModel(_ store: ParameterStore, training summary: TrainingSummary?, to directory: String) throws(ModelError) {
        if summary != nil { try writeWeights(store, to: directory) }
        try ModelFiles.writeDescription(SequentialModelDescription(architecture: architecture, parameterCount: store.count,
                                                                             training: summary), to: directory)
    }
}
