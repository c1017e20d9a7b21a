import Foundation
import Testing
import DoppelTestSupport

/// `kill -9` in the middle of training, then resume: the run continues from the last completed
/// epoch and ends with the same weights file as an uninterrupted run. Uses the
/// `doppel-model-bench train` subcommand as the process to kill (skipped when it is not built).
@Suite struct KillAndResumeTests {
    @Test(.enabled(if: TestSupport.builtProduct("doppel-model-bench") != nil))
    func killNineThenResumeEqualsStraightRun() throws {
        let tool = try #require(TestSupport.builtProduct("doppel-model-bench"))
        let killed = try TestSupport.temporaryDirectory("doppel-kill").path
        let straight = try TestSupport.temporaryDirectory("doppel-straight").path
        let epochs = "3"

        // Kill in the middle of the epoch after the first checkpoint.
        let checkpoint = killed + "/checkpoint.bin"
        let wasRunning = try TestSupport.killNine(tool, ["train", killed, epochs], after: checkpoint, timeout: 120)
        #expect(FileManager.default.fileExists(atPath: checkpoint))

        let resumed = try TestSupport.run(tool, ["train", killed, epochs, "resume"])
        #expect(resumed.status == 0, "\(resumed.output)")
        let full = try TestSupport.run(tool, ["train", straight, epochs])
        #expect(full.status == 0, "\(full.output)")
        let a = try Data(contentsOf: URL(fileURLWithPath: killed + "/weights.bin"))
        let b = try Data(contentsOf: URL(fileURLWithPath: straight + "/weights.bin"))
        #expect(a == b)
        let progress = try String(contentsOfFile: killed + "/progress.csv", encoding: .utf8)
        #expect(progress.split(separator: "\n").count == 4)
        if !wasRunning { print("note: the training process had finished before the kill") }
    }
}
