import DoppelEncoding
import DoppelModel
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

@Suite struct TrainTests {
    @Test func trainsTheEncodedPartitionsAndWritesTheModelFiles() throws {
        let ws = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(ws)
        _ = try PipelineFixture.encode(ws)
        let summary = try TrainFixture.train(ws, maxEpochs: 2)
        #expect(summary.training.epochs == 2)
        #expect(summary.training.stopReason == .maxEpochs)
        #expect(summary.trainingRows + summary.validationRows == 1309)
        #expect(summary.validationRows > 0 && !summary.validatedOnTrainingRows)
        let stats = try StatsFile.decode(try PipelineFixture.stats(ws))
        #expect(summary.subColumnCount == stats.columns.map { $0.stats.subColumns.count }.reduce(0, +))
        let directory = Workspace(path: ws).modelDataDirectory.path
        for name in [ModelFiles.modelFileName, ModelFiles.weightsFileName, ModelFiles.checkpointFileName, ModelFiles.progressFileName] {
            #expect(FileManager.default.fileExists(atPath: directory + "/" + name), "\(name)")
        }
        let (model, description) = try ModelFiles.read(from: directory)
        #expect(model.schema.columns.map(\.name) == stats.columns.map(\.name))
        #expect(description.training?.epochs == 2)
    }

    @Test func resumeContinuesToTheSameWeightsAsOneRun() throws {
        let straight = try TrainFixture.trainedTitanic(maxEpochs: 2)
        let resumed = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(resumed)
        _ = try PipelineFixture.encode(resumed)
        _ = try TrainFixture.train(resumed, maxEpochs: 1)
        let summary = try TrainFixture.train(resumed, maxEpochs: 2, resume: true)
        #expect(summary.training.epochs == 2)
        func weights(_ ws: String) throws -> Data {
            try Data(contentsOf: Workspace(path: ws).modelDataDirectory.appendingPathComponent(ModelFiles.weightsFileName))
        }
        #expect(try weights(straight) == weights(resumed))
    }

    @Test func aTinyTimeBudgetStopsTrainingEarly() throws {
        let ws = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(ws)
        _ = try PipelineFixture.encode(ws)
        let summary = try TrainFixture.train(ws, maxEpochs: 50, maxTime: 0.001)
        #expect(summary.training.stopReason == .maxTime)
        #expect(summary.training.epochs < 50)
    }

    @Test func sequentialWorkspacesAreRefusedClearly() throws {
        let ws = try PipelineFixture.baseball()
        _ = try PipelineFixture.analyze(ws)
        _ = try PipelineFixture.encode(ws)
        #expect {
            _ = try TrainFixture.train(ws)
        } throws: { error in
            "\(error)".contains("sequential models are not implemented yet")
        }
    }

    @Test func withoutValidationRowsTheTrainingRowsStandIn() throws {
        let ws = try TrainFixture.encodedCSV("a,b\n1,x\n2,y\n3,x\n", validationFraction: 0)
        let summary = try TrainFixture.train(ws, maxEpochs: 3)
        #expect(summary.validatedOnTrainingRows)
        #expect(summary.validationRows == 0 && summary.trainingRows == 3)
        #expect(summary.training.epochs == 3)
    }

    @Test func anEmptyTableIsAClearError() throws {
        let ws = try TrainFixture.encodedCSV("a,b\n")
        #expect {
            _ = try TrainFixture.train(ws)
        } throws: { error in
            "\(error)".contains("no training rows")
        }
    }

    @Test func trainingBeforeEncodeNamesTheMissingStep() throws {
        let ws = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(ws)
        #expect {
            _ = try TrainFixture.train(ws)
        } throws: { error in
            "\(error)".contains("doppel encode")
        }
    }
}
