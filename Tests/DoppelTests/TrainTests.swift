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
    /// one sequence per player of the training context (training and validation parts): the events
    /// carry the target's columns and those players' keys, and the same seed gives the same file.
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
        for file in try Workspace(path: ws).partitionFiles(.context) {
            let ids = try #require(try ArrowIPC.read(path: file.path).column(named: "id"))
            for r in 0..<ids.count { players.insert("\(ids.value(at: r).map { "\($0)" } ?? "")") }
        }
        let keys = try #require(events.column(named: "players_id"))
        #expect((0..<keys.count).allSatisfy { players.contains("\(keys.value(at: $0).map { "\($0)" } ?? "")") })
        // In chunks of 32 subjects (sampler batches of 16): the same sequences, written chunk by chunk.
        var chunked = GenerateOptions(workspace: ws, outputPath: ws + "/chunked.csv")
        chunked.samplingBatchSize = 16
        chunked.chunkSubjects = 32
        var whole = GenerateOptions(workspace: ws, outputPath: ws + "/whole.csv")
        whole.samplingBatchSize = 16
        _ = try Generate.run(chunked)
        _ = try Generate.run(whole)
        let (x, y) = (try DataFiles.read(path: ws + "/chunked.csv"), try DataFiles.read(path: ws + "/whole.csv"))
        #expect(x.rowCount == y.rowCount && x.schema.names == y.schema.names)
        for name in ["players_id", "team", "league"] {
            #expect((0..<x.rowCount).map { x.column(named: name)!.value(at: $0) } == (0..<y.rowCount).map { y.column(named: name)!.value(at: $0) })
        }
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
    }

    /// `--context FILE`: one sequence per given row, its columns kept (missing ones generated and
    /// the completed context written); `--seed-data`: each player's seed rows fix its first events,
    /// returned verbatim; seeds that name no generated subject, and --rows with --context, refused.
    @Test func sequentialGenerationForAGivenContextAndSeededEvents() throws {
        let ws = try PipelineFixture.baseball()
        _ = try PipelineFixture.analyze(ws)
        _ = try PipelineFixture.encode(ws)
        _ = try TrainFixture.train(ws, maxEpochs: 1, batchSize: 64)
        let players = try DataFiles.read(path: PipelineFixture.example("baseball-players.csv")).slice(0..<4)
        try DataFiles.write(players, to: ws + "/players.csv")
        var given = GenerateOptions(workspace: ws, outputPath: ws + "/given.csv")
        given.contextDataPath = ws + "/players.csv"
        let summary = try Generate.run(given)
        #expect(summary.contextOutputPath == nil, "a complete context table is not written again")
        let ids = (0..<4).map { players.column(named: "id")!.value(at: $0)!.description }
        let keys = try #require(try DataFiles.read(path: ws + "/given.csv").column(named: "players_id"))
        #expect((0..<keys.count).allSatisfy { ids.contains(keys.value(at: $0)!.description) })

        try DataFiles.write(try #require(players.selecting(["id", "country", "weight"])), to: ws + "/partial.csv")
        var partial = GenerateOptions(workspace: ws, outputPath: ws + "/partial-events.csv")
        partial.contextDataPath = ws + "/partial.csv"
        let completed = try Generate.run(partial)
        #expect(completed.contextOutputPath == ws + "/partial-events-context.csv" && completed.contextRows == 4)
        let context = try DataFiles.read(path: ws + "/partial-events-context.csv")
        #expect(context.schema.names.count == 10)
        for name in ["id", "country", "weight"] {
            #expect((0..<4).map { context.column(named: name)!.value(at: $0) } == (0..<4).map { players.column(named: name)!.value(at: $0) })
        }

        let (a, b) = (ids[1], ids[0])
        try "players_id,year,team\n\(a),1990,BOS\n\(b),2001,XYZ\n\(a),1991,NYA\n".write(toFile: ws + "/seed.csv", atomically: false, encoding: .utf8)
        var seeded = given
        seeded.outputPath = ws + "/seeded.csv"
        seeded.seedDataPath = ws + "/seed.csv"
        #expect(try Generate.run(seeded).seededColumns == ["year", "team"])
        let events = try DataFiles.read(path: ws + "/seeded.csv")
        let eventKeys = (0..<events.rowCount).map { events.column(named: "players_id")!.value(at: $0)!.description }
        func seasons(_ player: String) -> [(Int64?, String?)] {
            eventKeys.indices.filter { eventKeys[$0] == player }.map { r in
                (events.column(named: "year")!.value(at: r).flatMap { if case .int64(let v) = $0 { v } else { nil } },
                 events.column(named: "team")!.value(at: r)?.description)
            }
        }
        #expect(seasons(a).count >= 2 && seasons(a)[0] == (1990, "BOS") && seasons(a)[1] == (1991, "NYA"))
        #expect(seasons(b).count >= 1 && seasons(b)[0] == (2001, "XYZ"), "an unseen team is returned verbatim")

        try "players_id,year\nnobody,1990\n".write(toFile: ws + "/bad-seed.csv", atomically: false, encoding: .utf8)
        seeded.seedDataPath = ws + "/bad-seed.csv"
        #expect { _ = try Generate.run(seeded) } throws: { "\($0)".contains("row 1: context key 'nobody' is not one of the subjects generated") }
        var both = given
        both.rows = 3
        #expect { _ = try Generate.run(both) } throws: { "\($0)".contains("--rows and --context exclude each other") }
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
