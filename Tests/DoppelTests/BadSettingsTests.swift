import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel
import DoppelParallel

/// Settings and files that cannot describe real data end in a clear message: more partitions than
/// subjects are reduced (with a message, no empty files), and statistics counting negative
/// records are refused naming the step to rerun.
@Suite struct BadSettingsTests {
    @Test func morePartitionsThanSubjectsAreReduced() throws {
        let dir = try TestSupport.temporaryDirectory("partitions")
        let data = dir.appendingPathComponent("data.csv").path
        try "a,b\n1,x\n2,y\n3,x\n4,y\n5,x\n".write(toFile: data, atomically: false, encoding: .utf8)
        var options = SplitOptions(targetPath: data, workspace: dir.appendingPathComponent("ws").path)
        options.partitions = 100_000
        let messages = MessageLog()
        let summary = try Split.run(options, progress: ProgressReporter(onMessage: { messages.append($0) }, onStep: { _, _, _ in }))
        #expect(summary.partitions == 5)
        #expect(try Workspace(path: options.workspace).partitionFiles(.target).count == 10)
        #expect(messages.all.contains { $0.contains("--partitions 100000 is more than the 5 subjects") })
    }

    @Test func negativeRecordCountsInTheStatisticsAreRefused() throws {
        let ws = try PipelineFixture.titanic(partitions: 1)
        _ = try PipelineFixture.analyze(ws)
        let file = Workspace(path: ws).statsFile(.target).path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let edited = text.replacingOccurrences(of: #""trainingRecords" : \d+"#, with: #""trainingRecords" : -5"#, options: .regularExpression)
        #expect(edited != text)
        try edited.write(toFile: file, atomically: true, encoding: .utf8)
        #expect { _ = try Encode.readStats(Workspace(path: ws), .target) } throws: {
            "\($0)".contains("counts -5 training") && "\($0)".contains("run `doppel analyze` again")
        }
    }
}

/// Messages collected from a progress reporter (thread-safe).
final class MessageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func append(_ message: String) { lock.lock(); messages.append(message); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return messages }

    /// A group that only says its shape (validation makes no collective call).
    struct Shape: ProcessGroup {
        let rank = 0
        let size: Int
        func exchange(partner: Int, send: UnsafePointer<Float>, count: Int, receive: UnsafeMutablePointer<Float>, count receiveCount: Int) {}
        func sumContributions(_ buffer: UnsafeMutablePointer<Double>, count: Int) {}
        func broadcast(_ bytes: inout [UInt8]) {}
    }

    @Test func mpiShapesThatCannotGiveTheOneProcessWeightsAreRefused() throws {
        var options = TrainOptions(workspace: "unused")
        options.group = Shape(size: 3)
        options.shards = 3
        #expect { try options.validate() } throws: { "\($0)".contains("power-of-two rank count") }
        options.group = Shape(size: 4)
        options.shards = 6
        #expect { try options.validate() } throws: { "\($0)".contains("--shards 6 does not split evenly over 4 ranks") }
        options.shards = 8
        try options.validate()
    }
}
