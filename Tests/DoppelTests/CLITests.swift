import DoppelTestSupport
import Foundation
import Testing

/// End-to-end checks of the `doppel` executable (skipped when it has not been built).
@Suite(.enabled(if: TestSupport.builtProduct("doppel") != nil)) struct CLITests {
    let doppel = TestSupport.builtProduct("doppel") ?? ""

    @Test func helpListsSubcommandsAndVersionPrints() throws {
        let help = try TestSupport.run(doppel, ["--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("split"))
        let version = try TestSupport.run(doppel, ["--version"])
        #expect(version.status == 0)
        #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func splitRunsOnTheExampleAndPrintsASummary() throws {
        let dir = try TestSupport.temporaryDirectory("cli")
        let data = TestSupport.repositoryRoot.appendingPathComponent("examples/titanic.csv").path
        let result = try TestSupport.run(doppel, ["split", "--data", data, "--workspace", dir.path, "--seed", "1", "--quiet"])
        #expect(result.status == 0)
        #expect(result.output.contains("1309 subjects → 1047 training, 262 validation"))
        #expect(result.output.contains("TABULAR_CATEGORICAL"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("OriginalData/tgt-data/part-000000-trn.arrow").path))
    }

    @Test func badInputExitsWithOneClearLine() throws {
        let dir = try TestSupport.temporaryDirectory("cli")
        let result = try TestSupport.run(doppel, ["split", "--data", dir.appendingPathComponent("missing.csv").path, "--workspace", dir.path, "--quiet"])
        #expect(result.status == 1)
        #expect(result.output.hasPrefix("error: "))
        #expect(result.output.contains("missing.csv"))
    }
}
