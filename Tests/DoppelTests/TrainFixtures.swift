import DoppelModel
import DoppelTestSupport
import Foundation
@testable import Doppel

/// Trained workspaces for the train, generate and synthesize tests (tiny data, few epochs).
enum TrainFixture {
    /// Titanic split, analyzed, encoded and trained for 2 epochs (model S), shared by the
    /// generate tests, which only read it.
    static let titanic: Result<String, any Error> = Result { try trainedTitanic() }

    static func trainedTitanic(maxEpochs: Int = 2) throws -> String {
        let ws = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(ws)
        _ = try PipelineFixture.encode(ws)
        _ = try train(ws, maxEpochs: maxEpochs)
        return ws
    }

    static func train(_ ws: String, maxEpochs: Int = 2, maxTime: Double = 600, resume: Bool = false, batchSize: Int? = nil,
                      privacy: DPSGD? = nil) throws -> TrainSummary {
        var options = TrainOptions(workspace: ws)
        options.privacy = privacy
        options.batchSize = batchSize
        options.size = .small
        options.maxEpochs = maxEpochs
        options.maxTime = maxTime
        options.seed = 7
        options.resume = resume
        options.executor.jobs = 2
        return try Train.run(options)
    }

    /// A workspace split (1 partition, given validation share), analyzed and encoded from CSV text.
    static func encodedCSV(_ text: String, primaryKey: String? = nil, validationFraction: Double = 0.2) throws -> String {
        let dir = try TestSupport.temporaryDirectory("train-csv")
        let path = dir.appendingPathComponent("data.csv").path
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        var options = SplitOptions(targetPath: path, workspace: dir.appendingPathComponent("ws").path)
        options.primaryKey = primaryKey
        options.validationFraction = validationFraction
        _ = try Split.run(options)
        _ = try PipelineFixture.analyze(options.workspace)
        _ = try PipelineFixture.encode(options.workspace)
        return options.workspace
    }

    /// 300 rows: an id, a frequent category with 1 in 5 rows a unique (rare) city, and a number
    /// that depends on the category.
    static var rareCitiesCSV: String {
        var lines = ["id,city,size"]
        for i in 0..<300 {
            let city = i % 5 == 0 ? "town\(i)" : ["Berlin", "Paris", "Rome"][i % 3]
            lines.append("\(1000 + i),\(city),\(i % 3 * 10 + i % 7)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a generated table back (CSV typed like the training data, or Arrow).
    static func read(_ path: String) throws -> Table { try DataFiles.read(path: path) }

    static func texts(_ column: Column) -> [String] {
        (0..<column.count).map { column.value(at: $0)?.description ?? "<null>" }
    }
}
