import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// One writer per workspace: while a step writes, another writer or a generate run gets a clear
/// error naming the holder; readers share; the lock is gone when the holder is.
@Suite struct WorkspaceLockTests {
    @Test func aSecondWriterOrAReaderDuringAWriteIsRefused() throws {
        let ws = try PipelineFixture.titanic(partitions: 1)
        let workspace = Workspace(path: ws)
        var writer: WorkspaceLock? = try WorkspaceLock.acquire(workspace, .exclusive, step: "train")
        #expect { _ = try Analyze.run(AnalyzeOptions(workspace: ws)) } throws: {
            "\($0)".contains("is in use by process \(getpid()) (doppel train)")
        }
        #expect { _ = try Generate.run(GenerateOptions(workspace: ws, outputPath: ws + "/../out.csv")) } throws: {
            "\($0)".contains("is in use by process \(getpid()) (doppel train)") && "\($0)".contains("`doppel generate` again")
        }
        withExtendedLifetime(writer) {}
        writer = nil
        do {
            let reader = try WorkspaceLock.acquire(workspace, .shared, step: "generate")
            let second = try WorkspaceLock.acquire(workspace, .shared, step: "generate")
            #expect { _ = try WorkspaceLock.acquire(workspace, .exclusive, step: "encode") } throws: { "\($0)".contains("is in use by") }
            withExtendedLifetime((reader, second)) {}
        }
        #expect(throws: Never.self) { _ = try PipelineFixture.analyze(ws) }
    }

    @Test func aWorkspacePathThatIsAFileIsAClearError() throws {
        let file = try TestSupport.temporaryDirectory("lock").appendingPathComponent("ws").path
        try "x".write(toFile: file, atomically: false, encoding: .utf8)
        #expect { _ = try Split.run(SplitOptions(targetPath: PipelineFixture.example("titanic.csv"), workspace: file)) } throws: {
            "\($0)".contains("is a file, not a workspace folder")
        }
    }
}
