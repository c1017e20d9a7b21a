import Foundation
import Testing
import DoppelNN
import DoppelTestSupport
@testable import DoppelModel

/// The sequential model through the shared training loop: files, determinism, bit-exact resume,
/// a saved model that loads back and generates the same sequences, refused inputs.
@Suite struct SequentialTrainerTests {
    static let training = try! SequentialModelTests.data(subjects: 60)
    static let validation = try! SequentialModelTests.data(subjects: 30)
    static let architecture = SequentialModelArchitecture.resolve(target: SequentialModelTests.target, positional: SequentialModelTests.positional,
                                                                 context: SequentialModelTests.context, medianLength: 2, size: .small)

    static func train(epochs: Int, seed: UInt64 = 3, workers: Int = 2, resume: Bool = false, in directory: String? = nil) throws
        -> (String, SequentialTrainer.Result) {
        let dir = try directory ?? TestSupport.temporaryDirectory("doppel-sequential-files").path
        var options = TrainingOptions(maxEpochs: epochs, seed: seed, earlyStoppingPatience: 100)
        options.batchSize = 16
        options.workers = workers
        let result = try SequentialTrainer.train(architecture: architecture, training: training, validation: validation, maxSteps: 10,
                                                 options: options, directory: dir, resume: resume)
        return (dir, result)
    }

    static func bytes(_ dir: String, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(name)))
    }

    @Test func filesDeterminismAndResume() throws {
        let (a, straight) = try Self.train(epochs: 4, workers: 1)
        let (b, _) = try Self.train(epochs: 4, workers: 2)
        #expect(try Self.bytes(a, "weights.bin") == Self.bytes(b, "weights.bin"))
        #expect(straight.summary.epochs == 4 && straight.summary.steps == 4 * (60 / 16))
        let progress = String(decoding: try Self.bytes(a, "progress.csv"), as: UTF8.self)
        #expect(progress.split(separator: "\n").count == 5)
        let losses = progress.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[6])! }
        #expect(losses.last! < losses.first!, "validation loss \(losses)")
        // 2 epochs, then resume to 4: the same weights file, bit for bit.
        let (dir, first) = try Self.train(epochs: 2)
        #expect(first.summary.epochs == 2)
        let (_, resumed) = try Self.train(epochs: 4, resume: true, in: dir)
        #expect(resumed.summary.steps == straight.summary.steps)
        #expect(try Self.bytes(dir, "weights.bin") == Self.bytes(a, "weights.bin"))
        // The saved model loads back (format checked) and generates what the trained one does.
        let (loaded, description) = try ModelFiles.readSequential(from: a)
        #expect(description.training?.epochs == 4 && loaded.store.values == straight.model.store.values)
        let contexts: [Int32] = [0, 1, 2, 0, 1, 2]
        let x = try SequentialSampler.generate(model: loaded, subjects: 6, contextCodes: contexts, maxLength: 5, options: SamplingOptions(seed: 1))
        let y = try SequentialSampler.generate(model: straight.model, subjects: 6, contextCodes: contexts, maxLength: 5, options: SamplingOptions(seed: 1))
        #expect(x.allCodes == y.allCodes && x.start == y.start)
        // A flat reader refuses a sequential model folder, and the other way round.
        #expect(throws: ModelError.self) { try ModelFiles.read(from: a) }
        let (flatDirectory, _) = try ModelFilesTests.train(epochs: 1)
        #expect(throws: ModelError.self) { try ModelFiles.readSequential(from: flatDirectory) }
    }

    @Test func badInputsAreRefused() throws {
        let dir = try TestSupport.temporaryDirectory("doppel-sequential-bad").path
        let empty = try SequenceData(subColumnCount: 4, codes: [], start: [0], contextSubColumnCount: 1, contextCodes: [])
        let options = TrainingOptions(maxEpochs: 1, seed: 1)
        #expect(throws: ModelError.noValidationData) {
            try SequentialTrainer.train(architecture: Self.architecture, training: Self.training, validation: empty, maxSteps: 10,
                                        options: options, directory: dir)
        }
        let other = try SequenceData(subColumnCount: 3, codes: [0, 0, 0], start: [0, 1], contextSubColumnCount: 1, contextCodes: [0])
        #expect(throws: ModelError.self) {
            try SequentialTrainer.train(architecture: Self.architecture, training: other, validation: Self.validation, maxSteps: 10,
                                        options: options, directory: dir)
        }
    }
}
