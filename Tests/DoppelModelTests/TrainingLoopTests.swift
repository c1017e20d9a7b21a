import Foundation
import Testing
import DoppelNN
import DoppelParallel
import DoppelTestSupport
@testable import DoppelModel

/// A training job whose validation losses follow a script, to test the loop's stopping rules and
/// its checkpoint writing without a network.
private struct ScriptedJob: TrainingJob {
    final class Counter: @unchecked Sendable { var validations = 0 }
    let losses: [Double]
    let counter = Counter()
    var architecture: Int { 1 }
    var trainingExamples: Int { 16 }
    var dataPointsPerExample: Int { 1 }

    func initialStore(seed: UInt64) -> ParameterStore {
        var store = ParameterStore()
        _ = store.allocate("w", shape: [4], initializer: .constant(0.5))
        var random = SeededRandom(seed: seed)
        store.initialize(using: &random)
        return store
    }

    func accumulate(_ store: inout ParameterStore, examples: ArraySlice<Int>, seed: UInt64, epoch: UInt64, step: UInt64,
                    options: TrainingOptions, scratch: ShardScratch) throws(ModelError) -> Double {
        for i in store.gradients.indices { store.gradients[i] = 0.1 }
        return 1
    }

    func maskGradients(_ store: inout ParameterStore) {}

    func validationLoss(_ store: ParameterStore, seed: UInt64, options: TrainingOptions, batchSize: Int) throws(ModelError) -> Double {
        defer { counter.validations += 1 }
        return losses[min(counter.validations, losses.count - 1)]
    }

    func writeWeights(_ store: ParameterStore, to directory: String) throws(ModelError) {
        try FileAccess.writeAtomically(WeightsFile.encode(store), to: ModelFiles.path(directory, ModelFiles.weightsFileName))
    }

    func writeModel(_ store: ParameterStore, training: TrainingSummary?, to directory: String) throws(ModelError) {
        if training != nil { try writeWeights(store, to: directory) }
    }
}

@Suite struct TrainingLoopTests {
    func run(_ losses: [Double], epochs: Int = 100, checkpointInterval: Double = 10) throws -> (TrainingSummary, String) {
        let dir = try TestSupport.temporaryDirectory("doppel-loop").path
        var options = TrainingOptions(maxEpochs: epochs, seed: 1)
        options.batchSize = 4
        options.checkpointInterval = checkpointInterval
        let (_, summary) = try TrainingLoop.run(ScriptedJob(losses: losses), options: options, directory: dir, resume: false) { _ in }
        return (summary, dir)
    }

    @Test func gainsBelowTheRelativeThresholdDoNotExtendTraining() throws {
        // After the first epoch every loss is lower than the one before, but each by 10⁻⁵
        // relative: the best weights follow them, yet after 5 such epochs training stops.
        let losses = (0..<50).map { 10 * pow(1 - 1e-5, Double($0)) }
        let (summary, _) = try run(losses)
        #expect(summary.stopReason == .earlyStopping)
        #expect(summary.epochs == 6)
        #expect(summary.bestEpoch == 6)
    }

    @Test func realGainsKeepTraining() throws {
        let losses = (0..<12).map { 10 * pow(0.99, Double($0)) }
        let (summary, _) = try run(losses, epochs: 12)
        #expect(summary.stopReason == .maxEpochs && summary.epochs == 12 && summary.bestEpoch == 12)
    }

    @Test func aStoppedRunLeavesTheLastEpochsCheckpoint() throws {
        // With a long interval only the first epoch's checkpoint is written during the run; the
        // last completed epoch is written when training stops.
        let (summary, dir) = try run((0..<5).map { 10 - Double($0) }, epochs: 5, checkpointInterval: 1e9)
        #expect(summary.epochs == 5)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ModelFiles.path(dir, ModelFiles.checkpointFileName))))
        let checkpoint = try TrainingCheckpoint<Int>.decode(bytes, store: ScriptedJob(losses: [1]).initialStore(seed: 0), path: dir)
        #expect(checkpoint.state.epoch == 5 && checkpoint.state.bestEpoch == 5)
        #expect(checkpoint.bestWeights == checkpoint.weights)
    }
}
