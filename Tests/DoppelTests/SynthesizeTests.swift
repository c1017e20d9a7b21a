import DoppelModel
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

@Suite struct SynthesizeTests {
    private func synthesize(_ csv: String, rows: Int? = nil, primaryKey: String? = nil) throws -> (SynthesizeSummary, Table) {
        let dir = try TestSupport.temporaryDirectory("synthesize")
        let input = dir.appendingPathComponent("data.csv").path
        try csv.write(toFile: input, atomically: true, encoding: .utf8)
        var options = SynthesizeOptions(dataPath: input, outputPath: dir.appendingPathComponent("synthetic.csv").path)
        options.rows = rows
        options.primaryKey = primaryKey
        options.size = .small
        options.maxEpochs = 2
        options.seed = 1
        options.jobs = 2
        let summary = try Synthesize.run(options)
        return (summary, try DataFiles.read(path: options.outputPath))
    }

    @Test func runsTheWholePipelineAndRemovesTheTemporaryWorkspace() throws {
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix("doppel-synthesize-") })
        let (summary, table) = try synthesize(TrainFixture.rareCitiesCSV, primaryKey: "id")
        #expect(summary.inputRows == 300)
        #expect(summary.rows == 240)  // the training rows (validation share 0.2)
        #expect(summary.epochs == 2)
        #expect(summary.stepSeconds.map(\.step) == ["split", "analyze", "encode", "train", "generate"])
        #expect(summary.workspace == nil)
        #expect(table.schema.names == ["id", "city", "size"])
        #expect(table.column(named: "size")?.type == .int64)
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix("doppel-synthesize-") })
        #expect(after.subtracting(before).isEmpty)
    }

    @Test func aZeroRowTableGivesAnEmptyTableWithItsColumns() throws {
        let (summary, table) = try synthesize("a,b,c\n")
        #expect(summary.rows == 0 && summary.epochs == 0)
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
