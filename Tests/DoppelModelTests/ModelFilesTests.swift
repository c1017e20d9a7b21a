import Foundation
import Testing
import DoppelTestSupport
@testable import DoppelModel

@Suite struct ModelFilesTests {
    static let training = Fixtures.randomCodes(Fixtures.tinySchema, rows: 300, seed: 1)
    static let validation = Fixtures.randomCodes(Fixtures.tinySchema, rows: 60, seed: 2)
    static let architecture = FlatModelArchitecture.resolve(schema: Fixtures.tinySchema, size: .medium)

    static func train(epochs: Int, seed: UInt64 = 3, workers: Int = 2, resume: Bool = false, in directory: String? = nil) throws -> (String, TrainingResult) {
        let dir = try directory ?? TestSupport.temporaryDirectory("doppel-model-files").path
        var options = TrainingOptions(maxEpochs: epochs, seed: seed, earlyStoppingPatience: 100)
        options.batchSize = 32
        options.workers = workers
        let result = try Trainer.train(architecture: architecture, training: training, validation: validation,
                                       options: options, directory: dir, resume: resume)
        return (dir, result)
    }

    static func bytes(_ dir: String, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(name)))
    }

    @Test func sameSeedSameWeightsFileWhateverTheThreads() throws {
        let (a, _) = try Self.train(epochs: 2, workers: 1)
        let (b, _) = try Self.train(epochs: 2, workers: 2)
        let (c, _) = try Self.train(epochs: 2, seed: 4)
        #expect(try Self.bytes(a, "weights.bin") == Self.bytes(b, "weights.bin"))
        #expect(try Self.bytes(a, "weights.bin") != Self.bytes(c, "weights.bin"))
    }

    @Test func resumeContinuesBitForBit() throws {
        let (straight, full) = try Self.train(epochs: 4)
        let (dir, first) = try Self.train(epochs: 2)
        #expect(first.summary.epochs == 2)
        let (_, resumed) = try Self.train(epochs: 4, resume: true, in: dir)
        #expect(resumed.summary.epochs == 4)
        #expect(resumed.summary.steps == full.summary.steps)
        #expect(try Self.bytes(dir, "weights.bin") == Self.bytes(straight, "weights.bin"))
        // The resume state too: current weights and optimiser moments (times differ, so not the raw bytes).
        let store = FlatModel(architecture: Self.architecture, seed: 0).store
        let a = try TrainingCheckpoint<FlatModelArchitecture>.decode(Self.bytes(dir, "checkpoint.bin"), store: store, path: "a")
        let b = try TrainingCheckpoint<FlatModelArchitecture>.decode(Self.bytes(straight, "checkpoint.bin"), store: store, path: "b")
        #expect(a.weights == b.weights && a.optimizer == b.optimizer && a.state.scheduler == b.state.scheduler)
        let progress = try String(contentsOfFile: dir + "/progress.csv", encoding: .utf8).split(separator: "\n")
        #expect(progress.count == 5 && progress[0].hasPrefix("epoch,steps"))
    }

    @Test func resumeRefusesAnotherRunsCheckpoint() throws {
        let (dir, _) = try Self.train(epochs: 1)
        do {
            _ = try Self.train(epochs: 2, seed: 99, resume: true, in: dir)
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains("checkpoint.bin") && "\(error)".contains("seed"), "\(error)")
        }
    }

    @Test func savedModelLoadsBackAndSamplesTheSame() throws {
        let (dir, result) = try Self.train(epochs: 1)
        let (loaded, description) = try ModelFiles.read(from: dir)
        #expect(loaded.store.values == result.model.store.values)
        #expect(description.architecture == Self.architecture)
        #expect(description.training?.epochs == 1)
        let options = SamplingOptions(seed: 1)
        #expect(try Sampler.generate(model: loaded, rows: 50, options: options) == Sampler.generate(model: result.model, rows: 50, options: options))
    }

    @Test func corruptTruncatedAndForeignFilesAreRejected() throws {
        let (dir, _) = try Self.train(epochs: 1)
        let path = dir + "/weights.bin"
        let good = try Self.bytes(dir, "weights.bin")
        func expectError(_ bytes: [UInt8], _ fragment: String) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try ModelFiles.read(from: dir)
                Issue.record("no error for \(fragment)")
            } catch {
                #expect(error.description.contains(fragment), "\(error.description)")
                #expect(error.description.contains("weights.bin"))
            }
        }
        var flipped = good
        flipped[good.count - 3] ^= 0x40
        try expectError(flipped, "payload checksum")
        try expectError(Array(good.prefix(good.count - 8)), "truncated")
        try expectError(Array(good.prefix(20)), "truncated")
        try expectError(Array("PK\u{3}\u{4} this is a zip file, not weights at all, padded to be long enough......".utf8), "not a Doppel weights file")
        var header = good
        header[20] ^= 1
        try expectError(header, "header")
        // Weights of another architecture: a valid file for the large model.
        let other = FlatModel(architecture: .resolve(schema: Fixtures.tinySchema, size: .large), seed: 1)
        try expectError(WeightsFile.encode(other.store), "another architecture")
        // A broken model.json.
        try Data(good).write(to: URL(fileURLWithPath: path))
        try Data("{\"format\": \"something-else\"}".utf8).write(to: URL(fileURLWithPath: dir + "/model.json"))
        #expect(throws: ModelError.self) { try ModelFiles.read(from: dir) }
    }

    @Test func maxTimeStopsTraining() throws {
        let dir = try TestSupport.temporaryDirectory("doppel-model-time").path
        var options = TrainingOptions(maxEpochs: 50, maxTime: 0, seed: 1)
        options.batchSize = 32
        let result = try Trainer.train(architecture: Self.architecture, training: Self.training, validation: Self.validation,
                                       options: options, directory: dir)
        #expect(result.summary.stopReason == .maxTime)
        #expect(result.summary.epochs < 50)
        #expect(FileManager.default.fileExists(atPath: dir + "/weights.bin"))
    }

    @Test func stopRequestEndsTrainingAndKeepsAModel() throws {
        let dir = try TestSupport.temporaryDirectory("doppel-model-stop").path
        var options = TrainingOptions(maxEpochs: 50, seed: 1)
        options.batchSize = 32
        options.shouldStop = { true }
        let result = try Trainer.train(architecture: Self.architecture, training: Self.training, validation: Self.validation,
                                       options: options, directory: dir)
        #expect(result.summary.stopReason == .cancelled && result.summary.steps == 1)
        #expect(try ModelFiles.read(from: dir).description.training?.stopReason == .cancelled)
    }

    @Test func missingValidationDataFailsLoudly() throws {
        let dir = try TestSupport.temporaryDirectory("doppel-model-noval").path
        let empty = try EncodedData(rowCount: 0, subColumnCount: 4, codes: [])
        #expect(throws: ModelError.noValidationData) {
            try Trainer.train(architecture: Self.architecture, training: Self.training, validation: empty,
                              options: TrainingOptions(maxEpochs: 1), directory: dir)
        }
    }

    @Test func progressIsReported() throws {
        let dir = try TestSupport.temporaryDirectory("doppel-model-progress").path
        var options = TrainingOptions(maxEpochs: 2, seed: 1)
        options.batchSize = 32
        nonisolated(unsafe) var reports: [TrainingProgress] = []
        _ = try Trainer.train(architecture: Self.architecture, training: Self.training, validation: Self.validation,
                              options: options, directory: dir) { reports.append($0) }
        let epochEnds = reports.filter { $0.validationLoss != nil }
        #expect(epochEnds.map(\.epoch) == [1, 2])
        #expect(epochEnds[0].isCheckpoint)
        #expect(reports.first?.steps == 1)
        #expect(epochEnds[0].message.contains("epoch 1.0/2"))
    }

    /// An edited model.json whose layer width does not fit an integer names the field, not "not
    /// valid JSON".
    @Test func aNumberTooLargeNamesItsField() throws {
        let (dir, _) = try Self.train(epochs: 1)
        let file = dir + "/model.json"
        var text = try String(contentsOfFile: file, encoding: .utf8)
        let range = try #require(text.range(of: #""regressorLayers"\s*:\s*\[\s*\d+"#, options: .regularExpression))
        let digits = try #require(text[range].range(of: #"\d+$"#, options: .regularExpression))
        text.replaceSubrange(digits, with: "10000000000000000000")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        #expect { _ = try ModelFiles.read(from: dir) } throws: {
            "\($0)".contains("regressorLayers[0]: 10000000000000000000 is too large for an integer")
        }
    }
}
