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

    /// Negative numbers after a space are values, not options, so they get the range error; training
    /// and generation settings that cannot work are refused before any work, with the option named.
    @Test func numericArgumentsAreRangeCheckedWithAMessage() throws {
        let dir = try TestSupport.temporaryDirectory("cli")
        let data = TestSupport.repositoryRoot.appendingPathComponent("examples/titanic.csv").path
        let ws = dir.appendingPathComponent("ws").path
        #expect(try TestSupport.run(doppel, ["split", "--data", data, "--workspace", ws, "--quiet"]).status == 0)
        let cases: [([String], String)] = [
            (["train", "--workspace", ws, "--max-time", "0"], "--max-time must be a positive number of minutes"),
            (["train", "--workspace", ws, "--learning-rate", "-1"], "--learning-rate must lie in (0, 1]"),
            (["train", "--workspace", ws, "--learning-rate", "nan"], "--learning-rate must lie in (0, 1]"),
            (["train", "--workspace", ws, "--max-epochs", "0"], "--max-epochs must be ≥ 1"),
            (["train", "--workspace", ws, "--jobs", "-3"], "invalid jobs value '-3'"),
            (["generate", "--workspace", ws, "--rows", "-1"], "--rows must be ≥ 0"),
            (["generate", "--workspace", ws, "--temperature", "-1"], "--temperature must be ≥ 0"),
            (["generate", "--workspace", ws, "--top-p", "-0.5"], "--top-p must lie in (0, 1]"),
            (["evaluate", "--train", data, "--synthetic", data, "--max-distance-rows", "-5"], "--max-distance-rows must be ≥ 10"),
        ]
        for (arguments, message) in cases {
            let result = try TestSupport.run(doppel, arguments)
            #expect(result.status != 0 && result.output.contains(message), "\(arguments): \(result.output)")
            #expect(!result.output.contains("Missing value"))
        }
    }

    /// A tiny privacy budget gives huge noise, not a crash.
    @Test func aTinyPrivacyBudgetIsNoCrash() throws {
        let dir = try TestSupport.temporaryDirectory("cli")
        let data = TestSupport.repositoryRoot.appendingPathComponent("examples/titanic.csv").path
        let ws = dir.appendingPathComponent("ws").path
        #expect(try TestSupport.run(doppel, ["split", "--data", data, "--workspace", ws, "--quiet"]).status == 0)
        #expect(try TestSupport.run(doppel, ["analyze", "--workspace", ws, "--dp-epsilon", "1e-300", "--quiet"]).status == 0)
    }

    /// An output file that exists is replaced only with --force; an output onto an input is
    /// refused even with it.
    @Test func existingOutputsNeedForce() throws {
        let dir = try TestSupport.temporaryDirectory("cli")
        let data = TestSupport.repositoryRoot.appendingPathComponent("examples/titanic.csv").path
        let output = dir.appendingPathComponent("out.csv").path
        try "keep me\n".write(toFile: output, atomically: false, encoding: .utf8)
        let run = ["synthesize", data, "--output", output, "--max-epochs", "1", "--model", "S", "--quiet"]
        let refused = try TestSupport.run(doppel, run)
        #expect(refused.status != 0 && refused.output.contains("\(output) exists; pass --force to replace it"))
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "keep me\n")
        #expect(try TestSupport.run(doppel, run + ["--force"]).status == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8).hasPrefix("survived,pclass,"))
        let onto = try TestSupport.run(doppel, ["synthesize", output, "--output", output, "--force", "--quiet"])
        #expect(onto.status != 0 && onto.output.contains("is also an input of this step"))
    }
}
