import Foundation
import Testing
import DoppelNN
import DoppelParallel
import DoppelTestSupport
@testable import DoppelModel

/// DP-SGD of the flat model: ghost norms equal the per-sample gradients' norms, clipping bounds
/// them, training stops at the budget.
@Suite struct PrivacyTests {
    /// 18 columns of 3 sub-columns: more than 50 sub-columns, so the columns have compressors too.
    static let schema = ModelSchema(columns: (0..<18).map { c in
        .init(name: "c\(c)", subColumns: (0..<3).map { .init(name: "s\($0)", cardinality: 3 + $0) })
    })

    @Test func ghostNormsAreThePerSampleGradientNorms() throws {
        let architecture = FlatModelArchitecture.resolve(schema: Self.schema, size: .small)
        #expect(architecture.columns.contains { $0.compressed })
        let model = FlatModel(architecture: architecture, seed: 1)
        let data = Fixtures.randomCodes(Self.schema, rows: 5, seed: 2)
        var random = SeededRandom(seed: 3)
        let orders = ColumnOrders.random(rows: 5, columns: 18, random: &random)
        let norms = try model.sampleGradientNorms(batch: data, orders: orders)
        let S = Self.schema.subColumnCount
        for r in 0..<5 {
            var one = model
            one.zeroGradients()
            let row = try EncodedData(rowCount: 1, subColumnCount: S, codes: Array(data.codes[r * S ..< (r + 1) * S]))
            let rowOrder = ColumnOrders(rowCount: 1, columnCount: 18, ranks: Array(orders.ranks[r * 18 ..< (r + 1) * 18]))
            _ = try one.accumulateGradients(batch: row, orders: rowOrder, dropoutSeed: nil)
            one.network.maskGradients(&one.store)
            let exact = one.store.gradients.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norms[r] - exact) <= 1e-4 * exact, "row \(r): ghost \(norms[r]), per-sample \(exact)")
        }
    }

    @Test func clippingBoundsEveryRowsGradient() throws {
        let architecture = FlatModelArchitecture.resolve(schema: Self.schema, size: .small)
        var model = FlatModel(architecture: architecture, seed: 4)
        let data = Fixtures.randomCodes(Self.schema, rows: 1, seed: 5)
        let privacy = DPSGD(noiseMultiplier: 1e-9, maxGradNorm: 0.01, maxEpsilon: 10, delta: 1e-5)
        let order = ColumnOrders(rows: 1, order: Array(0..<18))
        _ = try model.privateGradients(codes: data.codes, ranks: order.ranks, rows: 1, privacy: privacy, expectedRows: 1, shards: 1,
                                       workers: 1, seed: 6, path: [1], noiseSeed: 7, scratch: ShardScratch())
        model.network.maskGradients(&model.store)
        let norm = model.store.gradients.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(norm <= 0.01 * 1.001 && norm > 0.009, "clipped gradient norm \(norm)")
    }

    @Test func trainingStopsAtTheBudgetAndKeepsTheLastWeights() throws {
        let architecture = FlatModelArchitecture.resolve(schema: Fixtures.dependencySchema, size: .small)
        let training = Fixtures.dependencyData(rows: 400, seed: 8), validation = Fixtures.dependencyData(rows: 100, seed: 9)
        var options = TrainingOptions(maxEpochs: 200, seed: 3)
        options.batchSize = 40
        options.privacy = DPSGD(noiseMultiplier: 1.2, maxGradNorm: 1, maxEpsilon: 4, delta: 1e-5)
        let dir = try TestSupport.temporaryDirectory("doppel-dp").path
        let result = try Trainer.train(architecture: architecture, training: training, validation: validation, options: options, directory: dir)
        let summary = result.summary
        #expect(summary.stopReason == .privacyBudget)
        let epsilon = try #require(summary.privacyEpsilon)
        #expect(summary.steps > 10 && epsilon <= 4, "ε spent \(epsilon) in \(summary.steps) steps")
        #expect(summary.privacyDelta == 1e-5)
        // The accountant agrees (the same steps at q = 40/400, σ = 1.2), and one more step would exceed the budget.
        #expect(abs(RDPAccountant.epsilon(noiseMultiplier: 1.2, sampleRate: 0.1, steps: summary.steps, delta: 1e-5) - epsilon) < 1e-9)
        #expect(RDPAccountant.epsilon(noiseMultiplier: 1.2, sampleRate: 0.1, steps: summary.steps + 1, delta: 1e-5) > 4)
        #expect(summary.bestEpoch == summary.epochs)
    }
}

/// DP-SGD of the sequential model: one subject (its whole sequence and context) per clipped
/// gradient; training stops at the budget and the same seed gives the same weights whatever
/// the number of threads.
@Suite struct SequentialPrivacyTests {
    static func train(workers: Int) throws -> (String, SequentialTrainer.Result) {
        let dir = try TestSupport.temporaryDirectory("doppel-seq-dp").path
        var options = TrainingOptions(maxEpochs: 100, seed: 5)
        options.batchSize = 12
        options.workers = workers
        options.privacy = DPSGD(noiseMultiplier: 1.5, maxGradNorm: 1, maxEpsilon: 3, delta: 1e-5)
        let result = try SequentialTrainer.train(architecture: SequentialTrainerTests.architecture, training: SequentialTrainerTests.training,
                                                 validation: SequentialTrainerTests.validation, maxSteps: 10, options: options, directory: dir)
        return (dir, result)
    }

    @Test func stopsAtTheBudgetDeterministically() throws {
        let (a, result) = try Self.train(workers: 1)
        let (b, _) = try Self.train(workers: 2)
        let summary = result.summary
        #expect(summary.stopReason == .privacyBudget)
        let epsilon = try #require(summary.privacyEpsilon)
        #expect(epsilon <= 3)
        #expect(RDPAccountant.epsilon(noiseMultiplier: 1.5, sampleRate: 0.2, steps: summary.steps + 1, delta: 1e-5) > 3)
        #expect(try SequentialTrainerTests.bytes(a, "weights.bin") == SequentialTrainerTests.bytes(b, "weights.bin"))
    }
}

extension SequentialPrivacyTests {
    /// Every subject's gradient is clipped: with every subject in the batch (rate 1) and almost no
    /// noise, the mean of the clipped gradients has norm at most the clipping norm, while the
    /// unclipped mean is far larger.
    @Test func everySubjectsGradientIsClipped() throws {
        let job = SequentialTrainingJob(architecture: SequentialTrainerTests.architecture, training: SequentialTrainerTests.training,
                                        validation: SequentialTrainerTests.validation, maxSteps: 10)
        var options = TrainingOptions(seed: 1)
        options.privacy = DPSGD(noiseMultiplier: 1e-9, maxGradNorm: 0.05, maxEpsilon: 1e6, delta: 1e-5)
        let subjects = SequentialTrainerTests.training.subjectCount
        var store = job.initialStore(seed: 2)
        _ = try job.accumulate(&store, examples: ArraySlice(0..<subjects), seed: 3, epoch: 0, step: 0, options: options, scratch: ShardScratch())
        job.maskGradients(&store)
        let clipped = store.gradients.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        options.privacy = nil
        _ = try job.accumulate(&store, examples: ArraySlice(0..<subjects), seed: 3, epoch: 0, step: 0, options: options, scratch: ShardScratch())
        job.maskGradients(&store)
        let plain = store.gradients.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(clipped <= 0.05 * 1.0001, "mean clipped gradient norm \(clipped)")
        #expect(plain > 0.5, "unclipped mean gradient norm \(plain)")
    }
}

extension PrivacyTests {
    /// A calibrated noise multiplier spends the whole budget by the last epoch.
    @Test func calibratedNoiseSpendsTheBudgetByTheLastEpoch() throws {
        let architecture = FlatModelArchitecture.resolve(schema: Fixtures.dependencySchema, size: .small)
        var options = TrainingOptions(maxEpochs: 5, seed: 3)
        options.batchSize = 40
        var privacy = DPSGD(noiseMultiplier: 0, maxGradNorm: 1, maxEpsilon: 2, delta: 1e-5)
        privacy.calibrateNoise = true
        options.privacy = privacy
        let result = try Trainer.train(architecture: architecture, training: Fixtures.dependencyData(rows: 400, seed: 8),
                                       validation: Fixtures.dependencyData(rows: 100, seed: 9), options: options,
                                       directory: try TestSupport.temporaryDirectory("doppel-dp-auto").path)
        let epsilon = try #require(result.summary.privacyEpsilon), sigma = try #require(result.summary.privacyNoiseMultiplier)
        #expect(result.summary.stopReason == .maxEpochs && result.summary.epochs == 5)
        #expect(epsilon <= 2 && epsilon > 1.98, "ε \(epsilon) with σ \(sigma)")
    }
}
