import Foundation
import DoppelModel
import DoppelParallel

/// `doppel-model-bench census <codes file> [epochs] [S|M|L]`: the real census table, encoded by
/// `scripts/bench/census-codes.py`, split 90/10, trained and sampled; prints speed and a simple
/// fidelity figure (mean total-variation distance of the univariate code distributions and of
/// the pairwise joint distributions of each column's first sub-column; 0 = identical).
enum CensusBenchmark {
    static func run(path: String, epochs: Int, size: ModelSize) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let newline = bytes.firstIndex(of: 10) else { throw ModelError.invalidFile(path: path, reason: "no schema line") }
        let schema = try JSONDecoder().decode(ModelSchema.self, from: bytes[..<newline])
        let S = schema.subColumnCount
        let payload = bytes[(newline + 1)...]
        let count = payload.count / 4
        var codes = [Int32](repeating: 0, count: count)
        codes.withUnsafeMutableBytes { out in payload.withUnsafeBytes { out.copyMemory(from: $0) } }
        let rows = count / S
        var random = SeededRandom(seed: 42)
        let order = random.permutation(rows)
        let trainRows = rows * 9 / 10
        func subset(_ indices: ArraySlice<Int>) throws -> EncodedData {
            var out: [Int32] = []
            out.reserveCapacity(indices.count * S)
            for r in indices { out += codes[r * S ..< (r + 1) * S] }
            return try EncodedData(rowCount: indices.count, subColumnCount: S, codes: out)
        }
        let training = try subset(order[..<trainRows]), validation = try subset(order[trainRows...])
        print("census: \(rows) rows, \(schema.columns.count) columns, \(S) sub-columns; model \(size.rawValue)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-census-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = TrainingOptions(maxEpochs: epochs, seed: 1)
        options.progressInterval = 1e9
        let start = Date(), cpuStart = cpuSeconds()
        let result = try Trainer.train(architecture: .resolve(schema: schema, size: size), training: training, validation: validation,
                                       options: options, directory: directory) { p in
            if p.validationLoss != nil { print(p.message) }
        }
        let seconds = Date().timeIntervalSince(start), cpu = cpuSeconds() - cpuStart
        print(String(format: "training: %d epochs (%@), %d rows in %.1f s wall = %.0f rows/s; CPU %.1f s = %.0f rows per CPU-second",
                     result.summary.epochs, result.summary.stopReason.rawValue, result.summary.samples, seconds,
                     Double(result.summary.samples) / seconds, cpu, Double(result.summary.samples) / cpu))
        let generationStart = Date()
        let synthetic = try Sampler.generate(model: result.model, rows: trainRows, options: SamplingOptions(seed: 1))
        print(String(format: "generation: %d rows in %.2f s", synthetic.rowCount, Date().timeIntervalSince(generationStart)))
        let cards = schema.cardinalities
        var univariate = 0.0
        for j in 0..<S { univariate += tvd(training, synthetic, [j], cards) }
        var firsts: [Int] = []
        var j = 0
        for column in schema.columns { firsts.append(j); j += column.subColumns.count }
        var pairs = 0.0, pairCount = 0
        for a in 0..<firsts.count { for b in (a + 1)..<firsts.count {
            pairs += tvd(training, synthetic, [firsts[a], firsts[b]], cards)
            pairCount += 1
        } }
        print(String(format: "fidelity: mean univariate TVD %.4f, mean pairwise TVD %.4f (holdout vs training: %.4f / %.4f)",
                     univariate / Double(S), pairs / Double(pairCount),
                     (0..<S).reduce(0.0) { $0 + tvd(training, validation, [$1], cards) } / Double(S),
                     pairTVD(training, validation, firsts, cards)))
    }

    static func pairTVD(_ a: EncodedData, _ b: EncodedData, _ firsts: [Int], _ cards: [Int]) -> Double {
        var total = 0.0, n = 0
        for i in 0..<firsts.count { for k in (i + 1)..<firsts.count { total += tvd(a, b, [firsts[i], firsts[k]], cards); n += 1 } }
        return total / Double(n)
    }

    /// Total-variation distance between the joint code distributions of `columns` in `a` and `b`.
    static func tvd(_ a: EncodedData, _ b: EncodedData, _ columns: [Int], _ cards: [Int]) -> Double {
        func histogram(_ d: EncodedData) -> [Int: Double] {
            var h: [Int: Double] = [:]
            for r in 0..<d.rowCount {
                var key = 0
                for j in columns { key = key * cards[j] + Int(d[r, j]) }
                h[key, default: 0] += 1 / Double(d.rowCount)
            }
            return h
        }
        let ha = histogram(a), hb = histogram(b)
        return Set(ha.keys).union(hb.keys).reduce(0.0) { $0 + abs((ha[$1] ?? 0) - (hb[$1] ?? 0)) } / 2
    }
}
