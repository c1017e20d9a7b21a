import DoppelTestSupport
import Foundation
import Testing

/// The `doppel` executable on sequential data (skipped when it has not been built): `kill -9` in
/// the middle of training, then `train --resume`, ends with the same weights as a straight run.
@Suite(.enabled(if: TestSupport.builtProduct("doppel") != nil)) struct SequentialCLITests {
    let doppel = TestSupport.builtProduct("doppel") ?? ""

    /// A split, analysed and encoded workspace of the bundled baseball example.
    func workspace() throws -> String {
        let examples = TestSupport.repositoryRoot.appendingPathComponent("examples")
        let ws = try TestSupport.temporaryDirectory("cli-seq").appendingPathComponent("ws").path
        for arguments in [["split", "--data", examples.appendingPathComponent("baseball-batting.csv").path,
                           "--context", examples.appendingPathComponent("baseball-players.csv").path,
                           "--context-key", "players_id", "--context-primary-key", "id", "--workspace", ws, "--seed", "3", "--quiet"],
                          ["analyze", "--workspace", ws, "--quiet"], ["encode", "--workspace", ws, "--quiet"]] {
            let result = try TestSupport.run(doppel, arguments)
            #expect(result.status == 0, "\(arguments[0]): \(result.output)")
        }
        return ws
    }

    @Test func killNineThenResumeEqualsStraightRun() throws {
        let killed = try workspace(), straight = try workspace()
        let train = ["train", "--model", "S", "--max-epochs", "3", "--batch-size", "16", "--seed", "5", "--quiet"]
        // Kill in the middle of the epoch after the first checkpoint.
        let wasRunning = try TestSupport.killNine(doppel, train + ["--workspace", killed], after: killed + "/ModelStore/model-data/checkpoint.bin",
                                                  delay: 100_000)
        let resumed = try TestSupport.run(doppel, train + ["--workspace", killed, "--resume"])
        #expect(resumed.status == 0, "\(resumed.output)")
        let full = try TestSupport.run(doppel, train + ["--workspace", straight])
        #expect(full.status == 0, "\(full.output)")
        for file in ["model-data/weights.bin", "ctx-model-data/weights.bin"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: killed + "/ModelStore/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: straight + "/ModelStore/" + file))
            #expect(a == b, "\(file) differs after kill -9 and resume")
        }
        if !wasRunning { print("note: the training process had finished before the kill") }
    }
}
