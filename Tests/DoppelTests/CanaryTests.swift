import DoppelParallel
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// Canaries: five rows planted in the training data with values nobody else has (a unique city
/// and an extreme income each) never reappear in synthetic data, across five generation seeds
/// (value protection replaces rare categories and clips extremes per subject before training).
@Suite struct CanaryTests {
    @Test func plantedRowsNeverReappear() throws {
        var random = SeededRandom(seed: 5)
        var lines = ["city,income,age"]
        for _ in 0..<1_500 {
            lines.append("\(["Vienna", "Graz", "Linz"][random.uniform(below: 3)]),\(30_000 + random.uniform(below: 40_000)),\(20 + random.uniform(below: 50))")
        }
        let canaries = (0..<5).map { "Canary-\($0)-Ville" }
        for (k, city) in canaries.enumerated() { lines.insert("\(city),\(9_000_000 + k * 1_000),\(30 + k)", at: 100 + 200 * k) }
        let ws = try TrainFixture.encodedCSV(lines.joined(separator: "\n") + "\n")
        _ = try TrainFixture.train(ws, maxEpochs: 3)
        for seed in 0..<5 {
            let path = try TestSupport.temporaryDirectory("canary").appendingPathComponent("syn-\(seed).csv").path
            var options = GenerateOptions(workspace: ws, outputPath: path)
            options.seed = UInt64(seed)
            options.rows = 3_000
            _ = try Generate.run(options)
            let table = try TrainFixture.read(path)
            let cities = Set(TrainFixture.texts(try #require(table.column(named: "city"))))
            #expect(cities.isDisjoint(with: canaries), "seed \(seed): \(cities.intersection(canaries))")
            guard case .int64(let incomes)? = table.column(named: "income") else { Issue.record("income is not int64"); return }
            #expect(incomes.values.array.allSatisfy { $0 < 1_000_000 }, "seed \(seed): a canary's income reappeared")
        }
    }
}
