import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// No step overwrites its inputs: synthesize onto its data (directly, through `..` or a link),
/// generate into the workspace's data, evaluate's report onto the training file are all refused
/// before any work, and the input is left as it was.
@Suite struct OutputPathsTests {
    @Test func outputsThatWouldOverwriteAnInputAreRefused() throws {
        let dir = try TestSupport.temporaryDirectory("outputs")
        let data = dir.appendingPathComponent("data.csv").path
        let text = "a,b\n1,x\n2,y\n3,x\n"
        try text.write(toFile: data, atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir.path + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/link.csv", withDestinationPath: data)
        for output in [data, dir.path + "/sub/../data.csv", dir.path + "/link.csv"] {
            #expect { _ = try Synthesize.run(SynthesizeOptions(dataPath: data, outputPath: output)) } throws: {
                "\($0)".contains("--output \(output) is also an input of this step")
            }
        }
        #expect { _ = try evaluate({ var r = EvaluationRequest(training: data, synthetic: data); r.reportPath = data; return r }()) } throws: {
            "\($0)".contains("--report \(data) is also an input")
        }
        #expect(try String(contentsOfFile: data, encoding: .utf8) == text)

        let ws = try PipelineFixture.titanic(partitions: 1)
        let partition = try #require(try Workspace(path: ws).partitionFiles(.target).first).path
        let before = try Data(contentsOf: URL(fileURLWithPath: partition))
        #expect { _ = try Generate.run(GenerateOptions(workspace: ws, outputPath: partition)) } throws: {
            "\($0)".contains("lies inside the workspace's OriginalData folder")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: partition)) == before)
    }
}
