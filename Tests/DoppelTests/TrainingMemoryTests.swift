import DoppelModel
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// A model too large for the memory is refused before it is built, with its size and what to
/// change; the count it uses is the one the built model has.
@Suite struct TrainingMemoryTests {
    @Test func theCountMatchesTheBuiltModelAndTooLargeIsRefused() throws {
        let ws = try PipelineFixture.titanic(partitions: 1)
        _ = try PipelineFixture.analyze(ws)
        let schema = ModelInputs.schema(try Encode.readStats(Workspace(path: ws), .target))
        for size in [ModelSize.small, .medium, .large] {
            let architecture = FlatModelArchitecture.resolve(schema: schema, size: size)
            #expect(architecture.parameterCount == FlatModel(architecture: architecture, seed: 1).parameterCount)
        }
        let parameters = FlatModelArchitecture.resolve(schema: schema, size: .medium).parameterCount
        #expect(throws: Never.self) { try TrainingMemory.require(parameters: parameters, workers: 2, size: "M", available: 1e9) }
        #expect { try TrainingMemory.require(parameters: parameters, workers: 2, size: "M", available: 1e6) } throws: {
            "\($0)".contains("model M has \(parameters) parameters") && "\($0)".contains("--model S")
        }
        #expect { try TrainingMemory.require(parameters: parameters, workers: 2, size: "S", available: 1e6) } throws: { !"\($0)".contains("--model S") }
    }
}
