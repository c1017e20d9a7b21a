import Foundation
import DoppelNN
import DoppelParallel

/// Training of the flat model: ``TrainingLoop`` (AdamW, plateau schedule, early stopping, max
/// epochs and time, `weights.bin`, `checkpoint.bin`, `progress.csv`; bit-exact resume) over the
/// rows of a flat table.
///
/// Any-order training: every SAMPLE gets its own random column order, from the stream
/// `(seed, orders, epoch, step)`; dropout from `(seed, dropout, epoch, step, shard)`.
public enum Trainer {
    public static func train(architecture: FlatModelArchitecture, training: EncodedData, validation: EncodedData,
                             options: TrainingOptions, directory: String, resume: Bool = false,
                             progress: (TrainingProgress) -> Void = { _ in }) throws(ModelError) -> TrainingResult {
        try architecture.validate()
        let schema = architecture.schema
        try training.validate(against: schema)
        try validation.validate(against: schema)
        guard training.rowCount > 0 else { throw .noTrainingData }
        guard validation.rowCount > 0 else { throw .noValidationData }
        let job = FlatTrainingJob(architecture: architecture, training: training, validation: validation, seed: options.seed)
        let (best, summary) = try TrainingLoop.run(job, options: options, directory: directory, resume: resume, progress: progress)
        var model = FlatModel(architecture: architecture, seed: 0)
        model.setWeights(best.values)
        return TrainingResult(model: model, summary: summary)
    }
}

/// The flat model's half of a training run: batches of rows gathered by index, per-sample column
/// orders, data-parallel shards (``FlatModel/shardedGradients``).
struct FlatTrainingJob: TrainingJob {
    let architecture: FlatModelArchitecture
    let training: EncodedData
    let validation: EncodedData
    /// Per-sample orders of the validation rows, drawn once from `(seed, validation)` so that
    /// epochs are comparable.
    let validationOrders: ColumnOrders
    private let template: FlatModel

    init(architecture: FlatModelArchitecture, training: EncodedData, validation: EncodedData, seed: UInt64) {
        self.architecture = architecture
        self.training = training
        self.validation = validation
        var random = SeededRandom.stream(seed: seed, [TrainingLoop.Stream.validation.rawValue])
        validationOrders = ColumnOrders.random(rows: validation.rowCount, columns: architecture.columns.count, random: &random)
        template = FlatModel(layoutOf: architecture)
    }

    var trainingExamples: Int { training.rowCount }
    var dataPointsPerExample: Int { training.subColumnCount }

    func initialStore(seed: UInt64) -> ParameterStore {
        var model = FlatModel(architecture: architecture, seed: seed)
        model.initializeOutputBiases(from: training)
        return model.store
    }

    func accumulate(_ store: inout ParameterStore, examples given: ArraySlice<Int>, seed: UInt64, epoch: UInt64, step: UInt64,
                    options: TrainingOptions, scratch: ShardScratch) throws(ModelError) -> Double {
        // DP-SGD draws its own batch: every row with probability batch size / rows.
        let rate = Double(given.count) / Double(training.rowCount)
        let examples = options.privacy == nil ? given
            : ArraySlice(Self.poissonSample(rows: training.rowCount, rate: rate, seed: seed, epoch: epoch, step: step))
        let S = training.subColumnCount, rows = examples.count
        var batchCodes = [Int32](repeating: 0, count: rows * S)
        training.codes.withUnsafeBufferPointer { src in
            batchCodes.withUnsafeMutableBufferPointer { dst in
                for (i, row) in examples.enumerated() {
                    (dst.baseAddress! + i * S).update(from: src.baseAddress! + row * S, count: S)
                }
            }
        }
        var orderRandom = SeededRandom.stream(seed: seed, [TrainingLoop.Stream.orders.rawValue, epoch, step])
        let orders = ColumnOrders.random(rows: rows, columns: architecture.columns.count, random: &orderRandom)
        // The model works on the loop's store in place (swapped in and out: no copy of the buffers).
        var model = template
        swap(&model.store, &store)
        defer { swap(&model.store, &store) }
        if let privacy = options.privacy {
            var noise = SeededRandom.stream(seed: seed, [TrainingLoop.Stream.noise.rawValue, epoch, step])
            return try model.privateGradients(codes: batchCodes, ranks: orders.ranks, rows: rows, privacy: privacy,
                                              expectedRows: rate * Double(training.rowCount), shards: options.shards,
                                              workers: options.workers, group: options.group, seed: seed, path: [TrainingLoop.Stream.dropout.rawValue, epoch, step],
                                              noiseSeed: noise.next(), scratch: scratch).reduce(0, +)
        }
        return try model.shardedGradients(codes: batchCodes, ranks: orders.ranks, rows: rows, shards: options.shards,
                                          workers: options.workers, group: options.group, seed: seed,
                                          path: [TrainingLoop.Stream.dropout.rawValue, epoch, step], scratch: scratch).reduce(0, +)
    }

    func maskGradients(_ store: inout ParameterStore) { template.network.maskGradients(&store) }

    /// Poisson sampling: each of `rows` rows independently with probability `rate`, drawn by
    /// geometric gaps (O(rate · rows) per step) from `(seed, poisson, epoch, step)`.
    static func poissonSample(rows: Int, rate: Double, seed: UInt64, epoch: UInt64, step: UInt64) -> [Int] {
        guard rate < 1 else { return Array(0..<rows) }
        var random = SeededRandom.stream(seed: seed, [TrainingLoop.Stream.poisson.rawValue, epoch, step])
        var chosen: [Int] = []
        chosen.reserveCapacity(Int(rate * Double(rows) * 1.2) + 8)
        let logKeep = Foundation.log(1 - rate)
        var i = -1
        while true {
            let u = max(random.nextDouble(), 1e-300)
            i += 1 + Int(Foundation.log(u) / logKeep)
            guard i < rows else { break }
            chosen.append(i)
        }
        return chosen
    }

    /// Mean per-row loss (sum over sub-columns) of the validation rows in evaluation mode; chunks
    /// run in parallel (and on the ranks of a process group) and are summed in chunk order.
    func validationLoss(_ store: ParameterStore, seed: UInt64, options: TrainingOptions, batchSize: Int) throws(ModelError) -> Double {
        var model = template
        model.store = store
        let data = validation, orders = validationOrders
        let rows = data.rowCount, S = data.subColumnCount, C = orders.columnCount
        let chunk = max(1, min(rows, max(batchSize, 256)))
        let count = (rows + chunk - 1) / chunk
        let evaluated = model
        let total = try ParallelLoop.sum(count, workers: options.workers, group: options.group) { i in
            let lo = i * chunk, hi = min(rows, lo + chunk)
            return Result { () throws(ModelError) -> Double in
                let part = try EncodedData(rowCount: hi - lo, subColumnCount: S, codes: Array(data.codes[lo * S ..< hi * S]))
                let partOrders = ColumnOrders(rowCount: hi - lo, columnCount: C, ranks: Array(orders.ranks[lo * C ..< hi * C]))
                return try evaluated.loss(batch: part, orders: partOrders).reduce(0, +) * Double(hi - lo)
            }
        }
        return total / Double(rows)
    }

    func writeWeights(_ store: ParameterStore, to directory: String) throws(ModelError) {
        try FileAccess.writeAtomically(WeightsFile.encode(store), to: ModelFiles.path(directory, ModelFiles.weightsFileName))
    }

    func writeModel(_ store: ParameterStore, training summary: TrainingSummary?, to directory: String) throws(ModelError) {
        if summary != nil { try writeWeights(store, to: directory) }
        try ModelFiles.writeDescription(ModelDescription(architecture: architecture, parameterCount: store.count, training: summary),
                                        to: directory)
    }
}
