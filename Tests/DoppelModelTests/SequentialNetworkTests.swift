import Testing
import DoppelNN
import DoppelParallel
@testable import DoppelModel

/// The sequential network: its whole gradient against finite differences, causality of the
/// history, and that a few optimiser steps learn a sequence that only the history and the context
/// can explain.
@Suite struct SequentialNetworkTests {
    /// Target: a length-like column L (card 4, excluded from the history input) and an event E (card 4).
    static let target = ModelSchema(columns: [
        .init(name: "L", subColumns: [.init(name: "cat", cardinality: 4)]),
        .init(name: "E", subColumns: [.init(name: "cat", cardinality: 4)]),
    ])

    static func network(contextCardinalities: [Int] = [3], seed: UInt64) -> (SequentialNetwork, ParameterStore) {
        var store = ParameterStore()
        let network = SequentialNetwork(target: .resolve(schema: target, size: .small), contextCardinalities: contextCardinalities,
                                        contextDimensions: contextCardinalities.map { _ in 2 }, contextWidth: 3, historyWidth: 5,
                                        historyExcluded: [0], store: &store)
        network.heads.initialize(&store, seed: seed)
        return (network, store)
    }

    /// Random codes, all rows in the loss except the last step of subject 0.
    static func batch(steps: Int, subjects: Int, seed: UInt64) -> SequenceBatch {
        var random = SeededRandom(seed: seed)
        let rows = steps * subjects
        let codes = (0..<(rows * 2)).map { _ in Int32(random.uniform(below: 4)) }
        let context = (0..<subjects).map { _ in Int32(random.uniform(below: 3)) }
        let orders = ColumnOrders.random(rows: rows, columns: 2, random: &random)
        var weights = [Float](repeating: 1, count: rows * 2)
        weights[((steps - 1) * subjects) * 2] = 0
        weights[((steps - 1) * subjects) * 2 + 1] = 0
        return SequenceBatch(steps: steps, subjects: subjects, codes: codes, contextCodes: context, ranks: orders.ranks, lossWeights: weights,
                             live: [Int](repeating: subjects, count: steps))
    }

    static func loss(_ network: SequentialNetwork, _ store: ParameterStore, _ batch: SequenceBatch, dropoutSeed: UInt64?,
                     gradients: inout [Float]) throws -> [Double] {
        var dropout = Dropout(probability: network.heads.dropout, random: dropoutSeed.map { SeededRandom(seed: $0) })
        return try store.values.withUnsafeBufferPointer { v in
            try gradients.withUnsafeMutableBufferPointer { g in
                try network.pass(values: v.baseAddress!, gradients: g.isEmpty ? nil : g.baseAddress!, batch: batch, dropout: &dropout,
                                 divisor: Float(batch.subjects))
            }
        }
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        let (network, store) = Self.network(seed: 21)
        let batch = Self.batch(steps: 4, subjects: 3, seed: 22)
        var analytic = [Float](repeating: 0, count: store.count)
        _ = try Self.loss(network, store, batch, dropoutSeed: 23, gradients: &analytic)
        var none: [Float] = []
        func total(_ s: ParameterStore) throws -> Double { try Self.loss(network, s, batch, dropoutSeed: 23, gradients: &none).reduce(0, +) }
        let zero = Set(network.heads.zeroRuns.flatMap { Array($0) })
        var checked = 0
        for slice in store.slices {
            let candidates = slice.range.filter { !zero.contains($0) }
            for index in stride(from: 0, to: candidates.count, by: max(1, candidates.count / 3)).map({ candidates[$0] }) {
                // A small step: with 12 event rows some ReLU inputs lie within 2e-3 of their kink.
                let h: Float = 5e-4
                var plus = store, minus = store
                plus.values[index] += h
                minus.values[index] -= h
                let numeric = (try total(plus) - total(minus)) / Double(2 * h)
                let a = Double(analytic[index])
                #expect(abs(numeric - a) <= 2e-3 + 0.05 * abs(a), "\(slice.name)[\(index - slice.offset)]: numeric \(numeric), analytic \(a)")
                checked += 1
            }
        }
        #expect(checked > 30)
        // The history and context parameters are among those that get a gradient.
        for name in ["history.weight_ih", "history.weight_hh", "context.encoder.weight", "context.embedding.0"] {
            let slice = store.slices.first { $0.name == name }!
            #expect(slice.range.contains { analytic[$0] != 0 }, "\(name) has no gradient")
        }
    }

    @Test func historySeesOnlyEarlierEventsAndExclusionsHold() throws {
        let (network, store) = Self.network(seed: 31)
        let base = Self.batch(steps: 4, subjects: 2, seed: 32)
        // Only step 1 of every subject in the loss.
        var weights = [Float](repeating: 0, count: base.rows * 2)
        for b in 0..<2 { weights[(1 * 2 + b) * 2] = 1; weights[(1 * 2 + b) * 2 + 1] = 1 }
        func variant(_ change: (inout [Int32]) -> Void) -> SequenceBatch {
            var codes = base.codes
            change(&codes)
            return SequenceBatch(steps: 4, subjects: 2, codes: codes, contextCodes: base.contextCodes, ranks: base.ranks, lossWeights: weights,
                                 live: base.live)
        }
        var none: [Float] = []
        let reference = try Self.loss(network, store, variant { _ in }, dropoutSeed: nil, gradients: &none)
        // Events at steps 2 and 3 lie in the future of step 1.
        let future = try Self.loss(network, store, variant { $0[(2 * 2 + 0) * 2 + 1] = ($0[(2 * 2 + 0) * 2 + 1] + 1) % 4; $0[(3 * 2 + 1) * 2] = 0 },
                                   dropoutSeed: nil, gradients: &none)
        #expect(future == reference)
        // The excluded column L of step 0 does not reach step 1 through the history.
        let excluded = try Self.loss(network, store, variant { $0[0] = ($0[0] + 1) % 4 }, dropoutSeed: nil, gradients: &none)
        #expect(excluded == reference)
        // E of step 0 does.
        let past = try Self.loss(network, store, variant { $0[1] = ($0[1] + 1) % 4 }, dropoutSeed: nil, gradients: &none)
        #expect(past != reference)
    }

    /// E starts at the context value and counts up by one per step (mod 4): only the context and
    /// the history can predict it.
    @Test func learnsASequenceFromContextAndHistory() throws {
        let (network, initial) = Self.network(seed: 41)
        var store = initial
        let steps = 5, subjects = 24
        var codes: [Int32] = [], context: [Int32] = []
        for b in 0..<subjects { context.append(Int32(b % 3)) }
        for t in 0..<steps { for b in 0..<subjects { codes += [Int32(t % 4), Int32((b % 3 + t) % 4)] } }
        let batch = SequenceBatch(steps: steps, subjects: subjects, codes: codes, contextCodes: context,
                                  ranks: ColumnOrders(rows: steps * subjects, order: [0, 1]).ranks,
                                  lossWeights: [Float](repeating: 1, count: steps * subjects * 2), live: [Int](repeating: subjects, count: steps))
        var none: [Float] = []
        let before = try Self.loss(network, store, batch, dropoutSeed: nil, gradients: &none)[1]
        var optimizer = AdamW(store: store, learningRate: 0.02)
        for _ in 0..<150 {
            store.zeroGradients()
            var gradients = store.gradients
            _ = try Self.loss(network, store, batch, dropoutSeed: nil, gradients: &gradients)
            store.gradients = gradients
            network.heads.maskGradients(&store)
            optimizer.update(&store)
        }
        let after = try Self.loss(network, store, batch, dropoutSeed: nil, gradients: &none)[1]
        // Per subject, E's loss summed over 5 steps: log 4 · 5 ≈ 6.9 at chance.
        #expect(before > 5 && after < 0.5, "E loss per subject \(before) → \(after)")
    }
}
