import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// Steps as transactions: a step whose predecessor did not complete, or completed on an older run
/// of ITS predecessor, refuses to start and names the step to run again; rerunning fixes it.
@Suite struct StepRecordsTests {
    /// Titanic split into `partitions`, analysed and encoded.
    func encoded(partitions: Int) throws -> String {
        let ws = try PipelineFixture.titanic(partitions: partitions)
        _ = try PipelineFixture.analyze(ws)
        _ = try PipelineFixture.encode(ws)
        return ws
    }

    /// Running the steps again repairs the workspace: training works.
    func repairedTrains(_ ws: String, from analyze: Bool) throws -> Bool {
        if analyze { _ = try PipelineFixture.analyze(ws) }
        _ = try PipelineFixture.encode(ws)
        return try TrainFixture.train(ws, maxEpochs: 1).training.epochs == 1
    }

    @Test func anInterruptedStepIsNotTrusted() throws {
        let ws = try encoded(partitions: 2)
        // An encode killed half-way leaves no record (it removes its own first).
        try FileManager.default.removeItem(at: StepRecords.url(Workspace(path: ws), .encode))
        #expect { _ = try TrainFixture.train(ws, maxEpochs: 1) } throws: {
            "\($0)".contains("`doppel encode` has not completed") && "\($0)".contains("before `doppel train`")
        }
        #expect { _ = try Generate.run(GenerateOptions(workspace: ws, outputPath: ws + "/../out.csv")) } throws: {
            "\($0)".contains("`doppel train` has not completed")
        }
        #expect(try repairedTrains(ws, from: false))
    }

    @Test func aStepRunOnAnOlderPredecessorIsNotTrusted() throws {
        let ws = try encoded(partitions: 1)
        // Split again: the statistics and codes describe the previous split.
        var split = SplitOptions(targetPath: PipelineFixture.example("titanic.csv"), workspace: ws)
        split.seed = 99
        _ = try Split.run(split)
        #expect { _ = try TrainFixture.train(ws, maxEpochs: 1) } throws: {
            "\($0)".contains("`doppel analyze` in \(ws) used the output of an earlier `doppel split` run; run `doppel analyze` again")
        }
        #expect { _ = try PipelineFixture.encode(ws) } throws: { "\($0)".contains("run `doppel analyze` again") }
        #expect(try repairedTrains(ws, from: true))
    }

    /// The record lists what the step wrote: a file of it that went missing is refused, naming it.
    @Test func aMissingOutputOfAStepIsNotTrusted() throws {
        let ws = try encoded(partitions: 2)
        let workspace = Workspace(path: ws)
        let record = try #require(StepRecords.read(workspace, .encode))
        #expect(record.files.keys.contains("OriginalData/encoded-data/part-000001-trn.arrow"))
        try FileManager.default.removeItem(at: workspace.encodedDataDirectory.appendingPathComponent("part-000001-trn.arrow"))
        #expect { _ = try TrainFixture.train(ws, maxEpochs: 1) } throws: {
            "\($0)".contains("OriginalData/encoded-data/part-000001-trn.arrow, written by `doppel encode`, is missing")
        }
    }
}
