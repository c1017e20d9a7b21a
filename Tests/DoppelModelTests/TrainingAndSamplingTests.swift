import Foundation
import Testing
import DoppelTestSupport
@testable import DoppelModel

/// One model trained on the noise-free dependency B = (A + 1) mod 4 with C independent
/// (0.7 / 0.2 / 0.1), shared by the sampling tests.
enum TrainedDependencyModel {
    static let training = Fixtures.dependencyData(rows: 2000, seed: 1)
    static let validation = Fixtures.dependencyData(rows: 400, seed: 2)
    static let result: TrainingResult = {
        let directory = try! TestSupport.temporaryDirectory("doppel-model").path
        var options = TrainingOptions(maxEpochs: 12, seed: 7)
        options.batchSize = 64
        options.learningRate = 0.01
        return try! Trainer.train(architecture: .resolve(schema: Fixtures.dependencySchema, size: .small),
                                  training: training, validation: validation, options: options, directory: directory)
    }()
    static var model: FlatModel { result.model }
}

@Suite struct TrainingAndSamplingTests {
    @Test func learnsTheDependencyConditionally() throws {
        let model = TrainedDependencyModel.model
        var fixed = FixedCodes(rowCount: 400, subColumnCount: 3)
        for r in 0..<400 { fixed[r, 0] = Int32(r % 4) }
        var options = SamplingOptions(seed: 3)
        options.fixed = fixed
        let out = try Sampler.generate(model: model, rows: 400, options: options)
        let correct = (0..<400).filter { out[$0, 1] == (out[$0, 0] + 1) % 4 }.count
        #expect(correct >= 360, "B = f(A) in \(correct) of 400 rows")
        #expect((0..<400).allSatisfy { out[$0, 0] == Int32($0 % 4) })
    }

    @Test func unconditionalMarginalsAndDependency() throws {
        let out = try Sampler.generate(model: TrainedDependencyModel.model, rows: 2000, options: SamplingOptions(seed: 4))
        let c = out.column(2)
        let share0 = Double(c.filter { $0 == 0 }.count) / 2000
        let shareA = (0..<4).map { a in Double(out.column(0).filter { $0 == a }.count) / 2000 }
        #expect(abs(share0 - 0.7) < 0.06, "C=0 share \(share0)")
        #expect(shareA.allSatisfy { abs($0 - 0.25) < 0.06 }, "A shares \(shareA)")
        let correct = (0..<2000).filter { out[$0, 1] == (out[$0, 0] + 1) % 4 }.count
        #expect(correct >= 1700, "B = f(A) in \(correct) of 2000 rows")
    }

    @Test func temperatureNearZeroPicksTheMode() throws {
        var options = SamplingOptions(temperature: 0, seed: 5)
        options.fixed = try FixedCodes(rowCount: 200, subColumnCount: 3, codes: Array((0..<200).map { r in [Int32(r % 4), Int32((r + 1) % 4), -1] }.joined()))
        let out = try Sampler.generate(model: TrainedDependencyModel.model, rows: 200, options: options)
        #expect(out.column(2).allSatisfy { $0 == 0 })
    }

    @Test func topPRestrictsToTheNucleus() throws {
        var options = SamplingOptions(topP: 0.5, seed: 6)
        let narrow = try Sampler.generate(model: TrainedDependencyModel.model, rows: 500, options: options)
        #expect(narrow.column(2).allSatisfy { $0 == 0 })  // P(C=0) ≈ 0.7 ≥ 0.5
        options.topP = 0.85
        let wider = try Sampler.generate(model: TrainedDependencyModel.model, rows: 500, options: options)
        #expect(wider.column(2).allSatisfy { $0 != 2 })  // 0.7 + 0.2 ≥ 0.85: code 2 is cut
        #expect(wider.column(2).contains(1))
    }

    @Test func suppressedCodesAreNeverSampled() throws {
        var options = SamplingOptions(seed: 8)
        options.suppressedCodes = [2: [0], 0: [3]]
        let out = try Sampler.generate(model: TrainedDependencyModel.model, rows: 1000, options: options)
        #expect(out.column(2).allSatisfy { $0 != 0 })
        #expect(out.column(0).allSatisfy { $0 != 3 })
        options.suppressedCodes = [2: [0, 1, 2]]
        #expect(throws: ModelError.self) { try Sampler.generate(model: TrainedDependencyModel.model, rows: 10, options: options) }
    }

    @Test func fixedValuesAreReturnedExactly() throws {
        var fixed = FixedCodes(rowCount: 300, subColumnCount: 3)
        for r in 0..<300 {
            if r % 3 == 0 { fixed[r, 1] = Int32(r % 4) }
            if r % 5 == 0 { fixed[r, 2] = 2 }
        }
        var options = SamplingOptions(seed: 9)
        options.fixed = fixed
        options.batchSize = 64
        let out = try Sampler.generate(model: TrainedDependencyModel.model, rows: 300, options: options)
        for r in 0..<300 {
            for j in 0..<3 where fixed[r, j] != FixedCodes.free { #expect(out[r, j] == fixed[r, j]) }
        }
        // Conditioning on B (generated first) still yields A = B - 1 most of the time.
        let conditioned = (0..<300).filter { $0 % 3 == 0 }
        let consistent = conditioned.filter { out[$0, 1] == (out[$0, 0] + 1) % 4 }.count
        #expect(consistent >= conditioned.count * 8 / 10)
    }

    @Test func zeroAndOneRows() throws {
        let none = try Sampler.generate(model: TrainedDependencyModel.model, rows: 0, options: SamplingOptions())
        #expect(none.rowCount == 0 && none.codes.isEmpty)
        let one = try Sampler.generate(model: TrainedDependencyModel.model, rows: 1, options: SamplingOptions(seed: 1))
        #expect(one.rowCount == 1 && one.codes.count == 3)
    }

    @Test func sameSeedSameSamplesWhateverTheThreads() throws {
        var options = SamplingOptions(seed: 10)
        options.batchSize = 100
        options.workers = 1
        let a = try Sampler.generate(model: TrainedDependencyModel.model, rows: 450, options: options)
        options.workers = 2
        let b = try Sampler.generate(model: TrainedDependencyModel.model, rows: 450, options: options)
        options.seed = 11
        let c = try Sampler.generate(model: TrainedDependencyModel.model, rows: 450, options: options)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func trainingStopsEarlyOrAtMaxEpochsAndWritesFiles() throws {
        let summary = TrainedDependencyModel.result.summary
        #expect(summary.epochs <= 12 && summary.epochs >= 1)
        #expect(summary.bestEpoch >= 1 && summary.bestEpoch <= summary.epochs)
        #expect(summary.batchSize == 64)
    }
}
