import DoppelEncoding
import DoppelParallel
import DoppelTestSupport
import Foundation
@testable import Doppel

/// Workspaces split from the example data, for the analyze and encode tests.
enum PipelineFixture {
    static func example(_ name: String) -> String {
        TestSupport.repositoryRoot.appendingPathComponent("examples/\(name)").path
    }

    /// A fresh workspace with the Titanic table split into `partitions` partitions.
    static func titanic(partitions: Int = 2, seed: UInt64 = 3) throws -> String {
        let ws = try TestSupport.temporaryDirectory("pipeline-flat").appendingPathComponent("ws").path
        var options = SplitOptions(targetPath: example("titanic.csv"), workspace: ws)
        options.partitions = partitions
        options.seed = seed
        _ = try Split.run(options)
        return ws
    }

    /// A fresh workspace with the baseball players (context) and batting seasons (target).
    static func baseball(partitions: Int = 2, seed: UInt64 = 3) throws -> String {
        let ws = try TestSupport.temporaryDirectory("pipeline-seq").appendingPathComponent("ws").path
        var options = SplitOptions(targetPath: example("baseball-batting.csv"), workspace: ws)
        options.contextPath = example("baseball-players.csv")
        options.contextPrimaryKey = "id"
        options.contextKey = "players_id"
        options.partitions = partitions
        options.seed = seed
        _ = try Split.run(options)
        return ws
    }

    /// A fresh workspace split from CSV text (flat).
    static func csv(_ text: String, partitions: Int = 1) throws -> String {
        let dir = try TestSupport.temporaryDirectory("pipeline-csv")
        let path = dir.appendingPathComponent("data.csv").path
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        var options = SplitOptions(targetPath: path, workspace: dir.appendingPathComponent("ws").path)
        options.partitions = partitions
        _ = try Split.run(options)
        return options.workspace
    }

    static func analyze(_ ws: String, protection: Bool = true, backend: Backend? = nil, jobs: Int = 2, seed: UInt64 = 11) throws -> AnalyzeSummary {
        var options = AnalyzeOptions(workspace: ws)
        options.valueProtection = protection
        options.seed = seed
        options.executor = configuration(backend, jobs)
        return try Analyze.run(options)
    }

    static func encode(_ ws: String, backend: Backend? = nil, jobs: Int = 2) throws -> EncodeSummary {
        var options = EncodeOptions(workspace: ws)
        options.seed = 5
        options.executor = configuration(backend, jobs)
        return try Encode.run(options)
    }

    /// The `doppel` executable, for the processes backend (nil when not built).
    static var worker: String? { TestSupport.builtProduct("doppel") }

    static func configuration(_ backend: Backend?, _ jobs: Int) -> ExecutorConfiguration {
        ExecutorConfiguration(backend: backend, jobs: jobs, workerExecutable: backend == .processes ? worker : nil)
    }

    static func stats(_ ws: String, _ role: Workspace.Role = .target) throws -> Data {
        try Data(contentsOf: Workspace(path: ws).statsFile(role))
    }

    /// Every file under `encoded-data`, by name.
    static func encodedFiles(_ ws: String) throws -> [String: Data] {
        let dir = Workspace(path: ws).encodedDataDirectory
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            out[name] = try Data(contentsOf: dir.appendingPathComponent(name))
        }
        return out
    }
}
