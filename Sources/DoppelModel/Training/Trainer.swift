import Foundation
import DoppelNN
import DoppelParallel

/// The training loop of the flat model (reference engine §6, with its weaknesses fixed):
/// AdamW, plateau schedule (×0.5 after 2 bad epochs, floor 0.1× the initial rate), early stopping
/// on the validation loss (patience 4), max epochs (exact epoch boundaries) and max time, the best
/// weights kept in `weights.bin`, a `checkpoint.bin` after every epoch for resume, `progress.csv`.
///
/// Any-order training: every SAMPLE gets its own random column order. Random streams come from
/// `(seed, purpose, epoch, step, shard)`, so a resumed run draws exactly what an uninterrupted
/// run would have drawn: train 2 epochs + resume to 4 gives the same weights file, bit for bit,
/// as 4 epochs straight.
public enum Trainer {
    private enum Stream: UInt64 { case initialisation = 1, shuffle, orders, dropout, validation }

    public static func train(architecture: FlatModelArchitecture, training: EncodedData, validation: EncodedData,
                             options: TrainingOptions, directory: String, resume: Bool = false,
                             progress: (TrainingProgress) -> Void = { _ in }) throws(ModelError) -> TrainingResult {
        try architecture.validate()
        let schema = architecture.schema
        try training.validate(against: schema)
        try validation.validate(against: schema)
        guard training.rowCount > 0 else { throw .noTrainingData }
        guard validation.rowCount > 0 else { throw .noValidationData }
        guard options.maxEpochs >= 0, options.maxTime >= 0, options.earlyStoppingPatience >= 0, options.shards >= 1 else {
            throw .invalidOption("max epochs, max time and patience must be ≥ 0, shards ≥ 1")
        }
        try FileAccess.createDirectory(directory)
        FileAccess.removeStaleTemporaries(in: directory)
        // The shards are the parallelism; OpenBLAS threads on top would only contend for the cores.
        BLASRuntime.useSingleThread()
        let seed = options.seed
        var initRandom = SeededRandom.stream(seed: seed, [Stream.initialisation.rawValue])
        var model = FlatModel(architecture: architecture, seed: initRandom.next())
        model.initializeOutputBiases(from: training)

        let checkpointPath = ModelFiles.path(directory, ModelFiles.checkpointFileName)
        let checkpoint = resume && FileAccess.exists(checkpointPath)
            ? try TrainingCheckpoint.decode(try FileAccess.read(checkpointPath), store: model.store, path: checkpointPath) : nil
        // A resumed run keeps the heuristic choices of the run it continues (they depend on the machine's memory).
        let memory = options.availableMemory ?? ProcessInfo.processInfo.physicalMemory
        let batchSize = min(options.batchSize ?? checkpoint?.state.batchSize ?? TrainingHeuristics.batchSize(
            rows: training.rowCount, dataPointsPerRow: schema.subColumnCount, parameters: model.parameterCount, memory: memory),
            training.rowCount)
        guard batchSize >= 1 else { throw .invalidOption("batch size must be ≥ 1") }
        let initialRate = options.learningRate ?? checkpoint?.state.initialLearningRate ?? TrainingHeuristics.learningRate(batchSize: batchSize)
        let stepsPerEpoch = max(1, training.rowCount / batchSize)

        var optimizer = AdamW(store: model.store, learningRate: initialRate)
        var state = TrainingState(architecture: architecture, batchSize: batchSize, initialLearningRate: initialRate, seed: seed,
                                  shards: options.shards, epoch: 0, steps: 0, samples: 0, elapsedSeconds: 0,
                                  scheduler: ReduceLROnPlateau(initialRate: initialRate, factor: 0.5, patience: 2, minimumRate: 0.1 * initialRate),
                                  bestLoss: nil, bestEpoch: 0, badEpochs: 0, history: [])
        var bestWeights = model.store.values
        if let checkpoint {
            let saved = checkpoint.state
            guard saved.architecture == architecture, saved.batchSize == batchSize, saved.initialLearningRate == initialRate,
                  saved.seed == seed, saved.shards == options.shards else {
                throw .invalidFile(path: checkpointPath,
                                   reason: "checkpoint from a run with another architecture, batch size, learning rate, seed or shard count")
            }
            state = saved
            model.setWeights(checkpoint.weights)
            bestWeights = checkpoint.bestWeights
            optimizer = AdamW(store: model.store, restoring: checkpoint.optimizer)
        } else {
            FileAccess.remove(checkpointPath)
            FileAccess.remove(ModelFiles.path(directory, ModelFiles.progressFileName))
        }
        try ModelFiles.writeDescription(ModelDescription(architecture: architecture, parameterCount: model.parameterCount, training: nil),
                                        to: directory)

        let started = Date()
        let elapsedBefore = state.elapsedSeconds
        func elapsed() -> Double { elapsedBefore + Date().timeIntervalSince(started) }
        let S = schema.subColumnCount, C = schema.columns.count
        var validationRandom = SeededRandom.stream(seed: seed, [Stream.validation.rawValue])
        let validationOrders = ColumnOrders.random(rows: validation.rowCount, columns: C, random: &validationRandom)
        var stopReason: StopReason = .maxEpochs
        var lastReport = Date.distantPast
        var lossSinceReport = 0.0, stepsSinceReport = 0
        var batchCodes = [Int32](repeating: 0, count: batchSize * S)
        let scratch = ShardScratch()

        if state.badEpochs > options.earlyStoppingPatience { stopReason = .earlyStopping }
        epochs: while stopReason != .earlyStopping, state.epoch < options.maxEpochs {
            if elapsed() > options.maxTime { stopReason = .maxTime; break }
            let epoch = UInt64(state.epoch)
            var shuffle = SeededRandom.stream(seed: seed, [Stream.shuffle.rawValue, epoch])
            let permutation = shuffle.permutation(training.rowCount)
            var epochLoss = 0.0
            for step in 0..<stepsPerEpoch {
                training.codes.withUnsafeBufferPointer { src in
                    batchCodes.withUnsafeMutableBufferPointer { dst in
                        for i in 0..<batchSize {
                            let row = permutation[step * batchSize + i]
                            (dst.baseAddress! + i * S).update(from: src.baseAddress! + row * S, count: S)
                        }
                    }
                }
                var orderRandom = SeededRandom.stream(seed: seed, [Stream.orders.rawValue, epoch, UInt64(step)])
                let orders = ColumnOrders.random(rows: batchSize, columns: C, random: &orderRandom)
                let losses = try model.shardedGradients(codes: batchCodes, ranks: orders.ranks, rows: batchSize, shards: options.shards,
                                                        workers: options.workers, seed: seed,
                                                        path: [Stream.dropout.rawValue, epoch, UInt64(step)], scratch: scratch)
                model.network.maskGradients(&model.store)
                optimizer.update(&model.store)
                let loss = losses.reduce(0, +)
                epochLoss += loss
                lossSinceReport += loss
                stepsSinceReport += 1
                state.steps += 1
                state.samples += batchSize
                if state.steps == 1 || Date().timeIntervalSince(lastReport) >= options.progressInterval {
                    progress(report(state, stepFraction: Double(step + 1) / Double(stepsPerEpoch), options: options,
                                    rate: optimizer.learningRate, trainLoss: lossSinceReport / Double(stepsSinceReport),
                                    validation: nil, checkpoint: false, elapsed: elapsed()))
                    lastReport = Date()
                    lossSinceReport = 0
                    stepsSinceReport = 0
                }
                let timeUp = elapsed() > options.maxTime
                if timeUp || options.shouldStop() {
                    stopReason = timeUp ? .maxTime : .cancelled
                    if state.bestLoss == nil {
                        // Stopped inside the first epoch: keep these weights as the best so far.
                        bestWeights = model.store.values
                        state.bestLoss = try validationLoss(model, validation, validationOrders, options: options, batchSize: batchSize)
                    }
                    break epochs
                }
            }
            state.epoch += 1
            let validationLoss = try validationLoss(model, validation, validationOrders, options: options, batchSize: batchSize)
            optimizer.learningRate = state.scheduler.step(validationLoss)
            let improved = validationLoss.isFinite && validationLoss < (state.bestLoss ?? .infinity)
            if improved {
                state.bestLoss = validationLoss
                state.bestEpoch = state.epoch
                state.badEpochs = 0
                bestWeights = model.store.values
                var best = model
                best.setWeights(bestWeights)
                try ModelFiles.writeWeights(best, to: directory)
            } else {
                state.badEpochs += 1
            }
            state.elapsedSeconds = elapsed()
            state.history.append(ProgressRow(epoch: state.epoch, steps: state.steps, samples: state.samples,
                                             elapsedSeconds: state.elapsedSeconds, learningRate: optimizer.learningRate,
                                             trainLoss: epochLoss / Double(stepsPerEpoch), validationLoss: validationLoss,
                                             isCheckpoint: improved))
            try writeProgress(state.history, directory: directory)
            let checkpoint = TrainingCheckpoint(state: state, weights: model.store.values, bestWeights: bestWeights,
                                                optimizer: optimizer.state)
            try FileAccess.writeAtomically(try checkpoint.encode(store: model.store), to: checkpointPath)
            progress(report(state, stepFraction: 0, options: options, rate: optimizer.learningRate,
                            trainLoss: epochLoss / Double(stepsPerEpoch), validation: validationLoss, checkpoint: improved,
                            elapsed: state.elapsedSeconds))
            lastReport = Date()
            lossSinceReport = 0
            stepsSinceReport = 0
            if state.badEpochs > options.earlyStoppingPatience { stopReason = .earlyStopping }
        }

        var best = model
        best.setWeights(bestWeights)
        let summary = TrainingSummary(epochs: state.epoch, steps: state.steps, samples: state.samples, bestEpoch: state.bestEpoch,
                                      bestValidationLoss: state.bestLoss, batchSize: batchSize, initialLearningRate: initialRate,
                                      seed: seed, shards: options.shards, elapsedSeconds: elapsed(), stopReason: stopReason)
        try ModelFiles.write(best, training: summary, to: directory)
        return TrainingResult(model: best, summary: summary)
    }

    /// Mean per-row loss (sum over sub-columns) of `data` in evaluation mode, with the fixed
    /// per-sample orders `orders`; chunks run in parallel and are summed in chunk order.
    static func validationLoss(_ model: FlatModel, _ data: EncodedData, _ orders: ColumnOrders,
                               options: TrainingOptions, batchSize: Int) throws(ModelError) -> Double {
        let rows = data.rowCount, S = data.subColumnCount, C = orders.columnCount
        let chunk = max(1, min(rows, max(batchSize, 256)))
        let count = (rows + chunk - 1) / chunk
        let results = ParallelLoop.map(count, workers: options.workers) { i in
            let lo = i * chunk, hi = min(rows, lo + chunk)
            return Result { () throws(ModelError) -> Double in
                let part = try EncodedData(rowCount: hi - lo, subColumnCount: S, codes: Array(data.codes[lo * S ..< hi * S]))
                let partOrders = ColumnOrders(rowCount: hi - lo, columnCount: C, ranks: Array(orders.ranks[lo * C ..< hi * C]))
                return try model.loss(batch: part, orders: partOrders).reduce(0, +) * Double(hi - lo)
            }
        }
        var total = 0.0
        for result in results { total += try result.get() }
        return total / Double(rows)
    }

    private static func report(_ state: TrainingState, stepFraction: Double, options: TrainingOptions, rate: Float,
                               trainLoss: Double, validation: Double?, checkpoint: Bool, elapsed: Double) -> TrainingProgress {
        let epoch = Double(state.epoch) + (validation == nil ? stepFraction : 0)
        let perEpoch = epoch > 0 ? elapsed / epoch : 0
        let remaining = max(0, min(options.maxTime - elapsed, perEpoch * (Double(options.maxEpochs) - epoch)))
        return TrainingProgress(epoch: epoch, maxEpochs: options.maxEpochs, steps: state.steps, samples: state.samples,
                                elapsedSeconds: elapsed, remainingSeconds: remaining, learningRate: rate, trainLoss: trainLoss,
                                validationLoss: validation, isCheckpoint: checkpoint)
    }

    private static func writeProgress(_ rows: [ProgressRow], directory: String) throws(ModelError) {
        let text = ([ProgressRow.header] + rows.map(\.csv)).joined(separator: "\n") + "\n"
        try FileAccess.writeAtomically(Array(text.utf8), to: ModelFiles.path(directory, ModelFiles.progressFileName))
    }
}
