import DoppelFiles
import DoppelTestSupport
import Foundation
import Testing

/// ``AtomicFile``: the target gets the whole new content, a failed write leaves the old file and
/// no temporary, and a temporary left by a killed process is removed by the next write.
@Suite struct AtomicFileTests {
    @Test func writesReplaceWholeAndFailuresLeaveTheOldFile() throws {
        let dir = try TestSupport.temporaryDirectory("atomic").path
        let path = dir + "/out.csv"
        try AtomicFile.write("a,b\n1,2\n", to: path)
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try AtomicFile.write(to: path) { sink in
                sink.write(Array("half".utf8))
                throw Stop()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a,b\n1,2\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.csv"])
    }

    @Test func anOpenWriterCommitsOrLeavesTheOldFile() throws {
        let dir = try TestSupport.temporaryDirectory("atomic").path
        let path = dir + "/out.bin"
        try AtomicFile.write("old", to: path)
        do {
            let file = try AtomicFileWriter(path: path)
            file.sink.write(Array("dropped".utf8))
        }
        let abandoned = try AtomicFileWriter(path: path)
        abandoned.sink.write(Array("abandoned".utf8))
        abandoned.abandon()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.bin"])
        let file = try AtomicFileWriter(path: path)
        file.sink.write(Array("new".utf8))
        try file.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.bin"])
    }

    @Test func temporariesOfDeadProcessesAreRemovedByTheNextWrite() throws {
        let dir = try TestSupport.temporaryDirectory("atomic").path
        // A process that has ended: this test's child, waited for.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let stale = dir + "/.out.csv.tmp-\(child.processIdentifier)-7"
        let live = dir + "/.out.csv.tmp-\(getpid())-8"
        let other = dir + "/.other.csv.tmp-\(child.processIdentifier)-9"
        for file in [stale, live, other] { try "x".write(toFile: file, atomically: false, encoding: .utf8) }
        try AtomicFile.write("new\n", to: dir + "/out.csv")
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live), "a running process's temporary stays")
        #expect(FileManager.default.fileExists(atPath: other), "only the target's temporaries are touched")
    }
}
