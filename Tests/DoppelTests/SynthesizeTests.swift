import DoppelModel
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

@Suite struct SynthesizeTests {
    private func synthesize(_ csv: String, rows: Int? = nil, primaryKey: String? = nil, temporaryParent: String? = nil,
                            keepWorkspace: Bool = false) throws -> (SynthesizeSummary, Table) {
        let dir = try TestSupport.temporaryDirectory("synthesize")
        let input = dir.appendingPathComponent("data.csv").path
        try csv.write(toFile: input, atomically: false, encoding: .utf8)
        var options = SynthesizeOptions(dataPath: input, outputPath: dir.appendingPathComponent("synthetic.csv").path)
        options.rows = rows
        options.primaryKey = primaryKey
        options.temporaryParent = temporaryParent
        options.keepWorkspace = keepWorkspace
        options.size = .small
        options.maxEpochs = 2
        options.seed = 1
        options.executor.jobs = 2
        let summary = try Synthesize.run(options)
        return (summary, try DataFiles.read(path: options.outputPath))
    }

    @Test func runsTheWholePipelineAndRemovesTheTemporaryWorkspace() throws {
        let parent = try TestSupport.temporaryDirectory("synthesize-parent").path
        let (summary, table) = try synthesize(TrainFixture.rareCitiesCSV, primaryKey: "id", temporaryParent: parent)
        #expect(summary.inputRows == 300)
        #expect(summary.rows == 300)  // as many rows as the input
        #expect(summary.epochs == 2)
        #expect(summary.stepSeconds.map(\.step) == ["split", "analyze", "encode", "train", "generate"])
        #expect(summary.workspace == nil)
        #expect(table.schema.names == ["id", "city", "size"])
        #expect(table.column(named: "size")?.type == .int64)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }

    /// Events and players of the bundled baseball example: both synthetic tables, with as many new
    /// players as the context has and every event referring to one of them.
    @Test func sequentialDataGivesBothSyntheticTables() throws {
        let dir = try TestSupport.temporaryDirectory("synthesize-sequential")
        var options = SynthesizeOptions(dataPath: PipelineFixture.example("baseball-batting.csv"),
                                        outputPath: dir.appendingPathComponent("out/batting.parquet").path)
        options.contextPath = PipelineFixture.example("baseball-players.csv")
        options.contextKey = "players_id"
        options.contextPrimaryKey = "id"
        options.size = .small
        options.maxEpochs = 1
        options.seed = 1
        let summary = try Synthesize.run(options)
        #expect(summary.contextOutputPath == dir.appendingPathComponent("out/batting-context.parquet").path)
        let players = try DataFiles.read(path: try #require(summary.contextOutputPath))
        let events = try DataFiles.read(path: options.outputPath)
        #expect(players.rowCount == 249 && players.schema.names.count == 10)
        #expect(events.rowCount == summary.rows && events.schema.names.first == "players_id")
        let keys = try #require(events.column(named: "players_id"))
        let known = Set((1...249).map(String.init))
        #expect((0..<keys.count).allSatisfy { known.contains("\(keys.value(at: $0).map { "\($0)" } ?? "")") })
    }

    @Test func theSameSeedGivesTheSameOutputFile() throws {
        func bytes() throws -> Data {
            let dir = try TestSupport.temporaryDirectory("synthesize-repro")
            let input = dir.appendingPathComponent("data.csv").path
            try TrainFixture.rareCitiesCSV.write(toFile: input, atomically: false, encoding: .utf8)
            var options = SynthesizeOptions(dataPath: input, outputPath: dir.appendingPathComponent("out.csv").path)
            options.size = .small
            options.maxEpochs = 2
            options.seed = 9
            _ = try Synthesize.run(options)
            return try Data(contentsOf: URL(fileURLWithPath: options.outputPath))
        }
        #expect(try bytes() == bytes())
    }

    @Test func everyColumnTypeComesBackWithItsType() throws {
        var lines = ["id,when,day,flag,score,name,amount"]
        for i in 0..<200 {
            lines.append("\(i),2024-0\(i % 9 + 1)-1\(i % 7)T1\(i % 5):2\(i % 3):00,2023-1\(i % 3)-0\(i % 9 + 1),\(i % 4 == 0),\(Double(i * 37 % 1000) / 10),\(["a", "b", "c"][i % 3]),\(i * 7919 % 100_000)")
        }
        let dir = try TestSupport.temporaryDirectory("synthesize-types")
        let input = dir.appendingPathComponent("types.csv").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: false, encoding: .utf8)
        var options = SynthesizeOptions(dataPath: input, outputPath: dir.appendingPathComponent("out.arrow").path)
        options.primaryKey = "id"
        options.size = .small
        options.maxEpochs = 2
        options.executor.jobs = 2
        _ = try Synthesize.run(options)
        let original = try DataFiles.read(path: input)
        let synthetic = try DataFiles.read(path: options.outputPath)
        #expect(original.schema.fields.map(\.type) == [.int64, .timestamp, .date, .bool, .float64, .string, .int64])
        #expect(synthetic.schema.names == original.schema.names)
        #expect(synthetic.schema.fields.map(\.type) == original.schema.fields.map(\.type))
        #expect(synthetic.rowCount == 200)  // as many rows as the input
    }

    @Test func aZeroRowTableGivesAnEmptyTableWithItsColumns() throws {
        let parent = try TestSupport.temporaryDirectory("synthesize-parent").path
        let (summary, table) = try synthesize("a,b,c\n", temporaryParent: parent, keepWorkspace: true)
        #expect(summary.rows == 0 && summary.epochs == 0)
        let kept = try #require(summary.workspace)
        #expect(kept.hasPrefix(parent) && FileManager.default.fileExists(atPath: kept + "/OriginalData"))
        #expect(table.rowCount == 0)
        #expect(table.schema.names == ["a", "b", "c"])
    }

    @Test func aOneRowTableRunsEndToEnd() throws {
        // One subject: no validation rows (the training row stands in) and, with value
        // protection, every value is rare.
        let (summary, table) = try synthesize("a,b,c\n1,x,2.5\n", rows: 4)
        #expect(summary.inputRows == 1 && summary.rows == 4 && summary.epochs == 2)
        #expect(table.schema.names == ["a", "b", "c"])
        #expect(table.rowCount == 4)
    }
}

@Suite(.enabled(if: TestSupport.builtProduct("doppel") != nil)) struct SynthesizeCLITests {
    let doppel = TestSupport.builtProduct("doppel") ?? ""

    @Test func synthesizesTitanic() throws {
        let dir = try TestSupport.temporaryDirectory("synthesize-cli")
        let output = dir.appendingPathComponent("titanic-synthetic.csv").path
        let input = TestSupport.repositoryRoot.appendingPathComponent("examples/titanic.csv").path
        let result = try TestSupport.run(doppel, ["synthesize", input, "--output", output, "--max-epochs", "2", "--model", "S",
                                                  "--seed", "5", "--rows", "100", "--quiet"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("100 rows × 8 columns from 1309 input rows"))
        let table = try DataFiles.read(path: output)
        #expect(table.rowCount == 100)
        #expect(table.schema.names == ["survived", "pclass", "sex", "age", "sibsp", "parch", "fare", "embarked"])
    }

    @Test func stepByStepCommandsTrainAndGenerateWithSeedData() throws {
        let dir = try TestSupport.temporaryDirectory("steps-cli")
        let ws = dir.appendingPathComponent("ws").path
        let input = TestSupport.repositoryRoot.appendingPathComponent("examples/titanic.csv").path
        for arguments in [["split", "--data", input, "--workspace", ws], ["analyze", "--workspace", ws], ["encode", "--workspace", ws]] {
            let result = try TestSupport.run(doppel, arguments + ["--quiet"])
            #expect(result.status == 0, "\(arguments[0]): \(result.output)")
        }
        let train = try TestSupport.run(doppel, ["train", "--workspace", ws, "--model", "S", "--max-epochs", "2", "--seed", "1", "--quiet"])
        #expect(train.status == 0, "\(train.output)")
        #expect(train.output.contains("2 epoch(s)"))
        let seed = dir.appendingPathComponent("seed.csv").path
        try "sex,embarked\nfemale,C\nmale,S\nmale,Q\n".write(toFile: seed, atomically: false, encoding: .utf8)
        let output = dir.appendingPathComponent("out.csv").path
        let generate = try TestSupport.run(doppel, ["generate", "--workspace", ws, "--output", output, "--seed-data", seed,
                                                    "--temperature", "0.8", "--top-p", "0.9", "--rare-category-replacement", "sample", "--quiet"])
        #expect(generate.status == 0, "\(generate.output)")
        let table = try DataFiles.read(path: output)
        #expect(table.rowCount == 3)
        #expect(TrainFixture.texts(try #require(table.column(named: "sex"))) == ["female", "male", "male"])
        #expect(TrainFixture.texts(try #require(table.column(named: "embarked"))) == ["C", "S", "Q"])
    }

    @Test func trainAndGenerateCommandsReportErrorsClearly() throws {
        let dir = try TestSupport.temporaryDirectory("train-cli")
        let result = try TestSupport.run(doppel, ["train", "--workspace", dir.appendingPathComponent("nothing").path, "--quiet"])
        #expect(result.status == 1)
        #expect(result.output.contains("error:"))
        let bad = try TestSupport.run(doppel, ["generate", "--workspace", dir.path, "--rare-category-replacement", "drop"])
        #expect(bad.status != 0)
        #expect(bad.output.contains("constant or sample"))
    }
}
