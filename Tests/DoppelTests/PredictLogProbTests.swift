import DoppelParallel
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// `doppel predict` and `doppel log-prob` on a table with a known joint distribution: `a` and
/// `b` uniform over four letters each, `c` = "same" when a and b are equal, else "diff", except
/// for 10 % of rows where it is flipped (so the Bayes accuracy is 0.9); `n` a number in
/// 1000·index(a) + 0…499 (many distinct values: a binned or digit column, not categorical).
@Suite struct PredictLogProbTests {
    static func known(rows: Int, seed: UInt64) -> String {
        var random = SeededRandom(seed: seed)
        let letters = ["p", "q", "r", "s"]
        var lines = ["a,b,c,n"]
        for _ in 0..<rows {
            let a = random.uniform(below: 4), b = random.uniform(below: 4)
            var same = a == b
            if random.nextDouble() < 0.1 { same.toggle() }
            lines.append("\(letters[a]),\(letters[b]),\(same ? "same" : "diff"),\(1_000 * a + random.uniform(below: 500))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let workspace = Result { () throws -> String in
        let ws = try TrainFixture.encodedCSV(known(rows: 6_000, seed: 1))
        _ = try TrainFixture.train(ws, maxEpochs: 30)
        return ws
    }

    func file(_ name: String, _ text: String) throws -> String {
        let path = try TestSupport.temporaryDirectory("predict").appendingPathComponent(name).path
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    func run(_ data: String, _ output: String, configure: (inout ScoreOptions) -> Void = { _ in }, logProb: Bool = false) throws -> Table {
        let path = try TestSupport.temporaryDirectory("predict-out").appendingPathComponent(output).path
        var options = ScoreOptions(workspace: try Self.workspace.get(), dataPath: data, outputPath: path)
        configure(&options)
        _ = logProb ? try LogProb.run(options) : try Predict.run(options)
        return try TrainFixture.read(path)
    }

    @Test func predictedClassesReachTheBayesAccuracy() throws {
        let test = Self.known(rows: 2_000, seed: 9)
        let truth = test.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[2] }
        let data = try file("test.csv", test)
        let predicted = TrainFixture.texts(try #require(try run(data, "c.csv") { $0.target = "c" }.column(named: "c")))
        let accuracy = Double(zip(predicted, truth).filter { $0.0 == $0.1 }.count) / Double(truth.count)
        #expect(accuracy >= 0.95 * 0.9, "accuracy \(accuracy); Bayes 0.9")
        // Probabilities: one column per class, rows summing to 1, the most likely class as predicted.
        let p = try run(data, "p.csv") { $0.target = "c"; $0.probabilities = true }
        #expect(Set(p.schema.names).isSuperset(of: ["same", "diff"]))
        guard case .float64(let same)? = p.column(named: "same"), case .float64(let diff)? = p.column(named: "diff") else {
            Issue.record("probability columns are not numbers"); return
        }
        for r in 0..<2_000 { #expect((same.values[r] > diff.values[r]) == (predicted[r] == "same") || abs(same.values[r] - diff.values[r]) < 1e-6) }
    }

    @Test func aNumericTargetIsDrawnGivenTheRow() throws {
        let data = try file("rows.csv", "a,b\n" + String(repeating: "s,p\n", count: 200))
        let predicted = try run(data, "n.csv") { $0.target = "n" }
        guard case .int64(let n)? = predicted.column(named: "n") else { Issue.record("n is not an integer column"); return }
        let inRange = n.values.array.filter { (3_000...3_499).contains($0) }.count
        #expect(inRange >= 170, "\(inRange) of 200 predictions of n in a = s's range 3000…3499")
        #expect { try run(data, "np.csv") { $0.target = "n"; $0.probabilities = true } } throws: { "\($0)".contains("--proba needs a categorical") }
    }

    @Test func trainingRowsScoreHigherThanShuffledRows() throws {
        let text = Self.known(rows: 1_000, seed: 1)
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        // Every column shuffled on its own: the same marginals, the dependence gone.
        var random = SeededRandom(seed: 3)
        let columns = (0..<4).map { c in random.permutation(rows.count).map { rows[$0][c] } }
        let shuffled = "a,b,c,n\n" + (0..<rows.count).map { r in (0..<4).map { columns[$0][r] }.joined(separator: ",") }.joined(separator: "\n") + "\n"
        func mean(_ table: Table) -> Double {
            guard case .float64(let s)? = table.column(named: "log_prob") else { return .nan }
            return s.values.array.reduce(0, +) / Double(s.values.count)
        }
        let real = mean(try run(try file("real.csv", text), "real.csv", logProb: true))
        let fake = mean(try run(try file("fake.csv", shuffled), "fake.csv", logProb: true))
        #expect(real > fake + 0.3, "mean log-prob \(real) against \(fake) shuffled")
        #expect(real < 0)
        #expect { try run(try file("partial.csv", "a,b\np,q\n"), "x.csv", logProb: true) } throws: { "\($0)".contains("column 'c' is missing") }
    }
}
