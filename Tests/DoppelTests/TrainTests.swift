import DoppelEncoding
import DoppelModel
import DoppelIO
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

@Suite struct TrainTests {
    @Test func trainsTheEncodedPartitionsAndWritesTheModelFiles() throws {
        let ws = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(ws)
        _ = try PipelineFixture.encode(ws)
        let summary = try TrainFixture.train(ws, maxEpochs: 2)
        #expect(summary.training.epochs == 2)
        #expect(summary.training.stopReason == .maxEpochs)
        #expect(summary.trainingRows + summary.validationRows == 1309)
        #expect(summary.validationRows > 0 && !summary.validatedOnTrainingRows)
        let stats = try StatsFile.decode(try PipelineFixture.stats(ws))
        #expect(summary.subColumnCount == stats.columns.map { $0.stats.subColumns.count }.reduce(0, +))
        let directory = Workspace(path: ws).modelDataDirectory.path
        for name in [ModelFiles.modelFileName, ModelFiles.weightsFileName, ModelFiles.checkpointFileName, ModelFiles.progressFileName] {
            #expect(FileManager.default.fileExists(atPath: directory + "/" + name), "\(name)")
        }
        let (model, description) = try ModelFiles.read(from: directory)
        #expect(model.schema.columns.map(\.name) == stats.columns.map(\.name))
        #expect(description.training?.epochs == 2)
    }

    @Test func resumeContinuesToTheSameWeightsAsOneRun() throws {
        let straight = try TrainFixture.trainedTitanic(maxEpochs: 2)
        let resumed = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(resumed)
        _ = try PipelineFixture.encode(resumed)
        _ = try TrainFixture.train(resumed, maxEpochs: 1)
        let summary = try TrainFixture.train(resumed, maxEpochs: 2, resume: true)
        #expect(summary.training.epochs == 2)
        func weights(_ ws: String) throws -> Data {
            try Data(contentsOf: Workspace(path: ws).modelDataDirectory.appendingPathComponent(ModelFiles.weightsFileName))
        }
        #expect(try weights(straight) == weights(resumed))
    }

    /// Workspaces encoded before codes were narrowed hold int64 code columns: they train to the
    /// same weights as the narrow files of today.
    @Test func int64CodesOfOlderWorkspacesTrainToTheSameWeights() throws {
        let ws = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(ws)
        _ = try PipelineFixture.encode(ws)
        func weights() throws -> Data {
            _ = try TrainFixture.train(ws, maxEpochs: 1)
            return try Data(contentsOf: Workspace(path: ws).modelDataDirectory.appendingPathComponent(ModelFiles.weightsFileName))
        }
        let narrow = try weights()
        let directory = Workspace(path: ws).encodedDataDirectory
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".arrow") {
            let path = directory.appendingPathComponent(file).path
            let table = try ArrowIPC.read(path: path)
            #expect(table.columns.allSatisfy { $0.type == .int8 || $0.type == .int16 }, "\(file)")
            try ArrowIPC.write(table.widenedToInt64(), to: path, metadata: try ArrowIPC.readMetadata(path: path))
            #expect(try ArrowIPC.read(path: path).columns.allSatisfy { $0.type == .int64 }, "\(file)")
        }
        #expect(try weights() == narrow)
    }

    @Test func aTinyTimeBudgetStopsTrainingEarly() throws {
        let ws = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(ws)
        _ = try PipelineFixture.encode(ws)
        let summary = try TrainFixture.train(ws, maxEpochs: 50, maxTime: 0.001)
        #expect(summary.training.stopReason == .maxTime)
        #expect(summary.training.epochs < 50)
    }

    /// The bundled baseball example trains the sequential model (one short epoch) and generates
    /// one sequence per training player: the events carry the target's columns, keys of training
    /// players, and the same seed gives the same file.
    @Test func sequentialWorkspacesTrainAndGenerate() throws {
        let ws = try PipelineFixture.baseball()
        _ = try PipelineFixture.analyze(ws)
        _ = try PipelineFixture.encode(ws)
        let summary = try TrainFixture.train(ws, maxEpochs: 1, batchSize: 64)
        #expect(summary.training.epochs == 1 && summary.trainingRows > 0 && summary.validationRows > 0)
        let (model, description) = try ModelFiles.readSequential(from: Workspace(path: ws).modelDataDirectory.path)
        #expect(description.training?.epochs == 1 && model.architecture.size == .small)
        #expect(model.architecture.target.columns[0].name == "/" && !model.architecture.context.isEmpty)
        let first = try Generate.run(GenerateOptions(workspace: ws, outputPath: ws + "/a.csv"))
        _ = try Generate.run(GenerateOptions(workspace: ws, outputPath: ws + "/b.csv"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: ws + "/a.csv")) == Data(contentsOf: URL(fileURLWithPath: ws + "/b.csv")))
        let events = try DataFiles.read(path: ws + "/a.csv")
        #expect(events.rowCount == first.rows && events.rowCount > 0)
        #expect(events.schema.names == ["players_id", "year", "team", "league", "G", "AB", "R", "H", "HR", "RBI", "SB", "CS", "BB", "SO"])
        var players = Set<String>()
        for file in try Workspace(path: ws).partitionFiles(.context) where file.lastPathComponent.hasSuffix("-trn.arrow") {
            let ids = try #require(try ArrowIPC.read(path: file.path).column(named: "id"))
            for r in 0..<ids.count { players.insert("\(ids.value(at: r).map { "\($0)" } ?? "")") }
        }
        let keys = try #require(events.column(named: "players_id"))
        #expect((0..<keys.count).allSatisfy { players.contains("\(keys.value(at: $0).map { "\($0)" } ?? "")") })
        var capped = GenerateOptions(workspace: ws, outputPath: ws + "/capped.csv")
        capped.maxSequenceLength = 1
        _ = try Generate.run(capped)
        let cappedKeys = try #require(try DataFiles.read(path: ws + "/capped.csv").column(named: "players_id"))
        let perPlayer = Dictionary(grouping: (0..<cappedKeys.count).map { "\(cappedKeys.value(at: $0).map { "\($0)" } ?? "")" }, by: { $0 })
        #expect(perPlayer.values.allSatisfy { $0.count <= 1 }, "--max-sequence-length 1 gives at most one event per player")
        // New subjects: the context table is generated with keys 1…25, which the events refer to.
        var fresh = GenerateOptions(workspace: ws, outputPath: ws + "/new/events.csv")
        fresh.rows = 25
        let generated = try Generate.run(fresh)
        #expect(generated.contextOutputPath == ws + "/new/events-context.csv" && generated.contextRows == 25)
        let context = try DataFiles.read(path: ws + "/new/events-context.csv")
        #expect(context.rowCount == 25 && context.schema.names.first == "id" && context.schema.names.count == 10)
        let ids = try #require(context.column(named: "id"))
        #expect((0..<25).map { "\(ids.value(at: $0).map { "\($0)" } ?? "")" } == (1...25).map(String.init))
        let newKeys = try #require(try DataFiles.read(path: ws + "/new/events.csv").column(named: "players_id"))
        #expect((0..<newKeys.count).allSatisfy { (1...25).map(String.init).contains("\(newKeys.value(at: $0).map { "\($0)" } ?? "")") })
        #expect {
            var options = GenerateOptions(workspace: ws, outputPath: ws + "/c.csv")
            options.seedDataPath = ws + "/a.csv"
            _ = try Generate.run(options)
        } throws: { error in
            "\(error)".contains("--seed-data (seeded events) is not implemented yet")
        }
    }

    @Test func withoutValidationRowsTheTrainingRowsStandIn() throws {
        let ws = try TrainFixture.encodedCSV("a,b\n1,x\n2,y\n3,x\n", validationFraction: 0)
        let summary = try TrainFixture.train(ws, maxEpochs: 3)
        #expect(summary.validatedOnTrainingRows)
        #expect(summary.validationRows == 0 && summary.trainingRows == 3)
        #expect(summary.training.epochs == 3)
    }

    @Test func anEmptyTableIsAClearError() throws {
        let ws = try TrainFixture.encodedCSV("a,b\n")
        #expect {
            _ = try TrainFixture.train(ws)
        } throws: { error in
            "\(error)".contains("no training rows")
        }
    }

    @Test func trainingBeforeEncodeNamesTheMissingStep() throws {
        let ws = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(ws)
        #expect {
            _ = try TrainFixture.train(ws)
        } throws: { error in
            "\(error)".contains("doppel encode")
        }
    }
}
