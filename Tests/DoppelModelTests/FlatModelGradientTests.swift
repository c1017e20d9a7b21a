import Testing
import DoppelNN
import DoppelParallel
@testable import DoppelModel

@Suite struct FlatModelGradientTests {
    /// Central finite differences against the analytic gradient of the whole model (embeddings,
    /// a compressor, two regressor layers with dropout, block-diagonal predictors).
    @Test(arguments: [ModelSize.medium, ModelSize.large])
    func gradientMatchesFiniteDifferences(size: ModelSize) throws {
        var architecture = FlatModelArchitecture.resolve(schema: Fixtures.tinySchema, size: size)
        // Force the compressor path on column B (normally only for > 50 sub-columns).
        architecture.columns[1].compressed = true
        architecture.columns[1].embeddingDimension = 3
        var model = FlatModel(architecture: architecture, seed: 11)
        let batch = Fixtures.randomCodes(Fixtures.tinySchema, rows: 6, seed: 3)
        var random = SeededRandom(seed: 5)
        let orders = ColumnOrders.random(rows: 6, columns: 3, random: &random)
        model.store.zeroGradients()
        _ = try model.accumulateGradients(batch: batch, orders: orders, dropoutSeed: 99)
        let analytic = model.store.gradients

        func loss(_ m: FlatModel) throws -> Double {
            var copy = m
            copy.store.zeroGradients()
            return try copy.accumulateGradients(batch: batch, orders: orders, dropoutSeed: 99).reduce(0, +)
        }
        let zero = Set(model.network.zeroRuns.flatMap { Array($0) })
        var checked = 0
        for slice in model.store.slices {
            // A few parameters per slice, skipping the fixed zeros of the block layout.
            let candidates = slice.range.filter { !zero.contains($0) }
            for index in stride(from: 0, to: candidates.count, by: max(1, candidates.count / 3)).map({ candidates[$0] }) {
                let h: Float = 2e-3
                var plus = model, minus = model
                plus.store.values[index] += h
                minus.store.values[index] -= h
                let numeric = (try loss(plus) - loss(minus)) / Double(2 * h)
                let a = Double(analytic[index])
                #expect(abs(numeric - a) <= 2e-3 + 0.05 * abs(a), "\(slice.name)[\(index - slice.offset)]: numeric \(numeric), analytic \(a)")
                checked += 1
            }
        }
        #expect(checked > 20)
    }

    @Test func sameSeedSameWeightsAndStructuralZeros() {
        let architecture = FlatModelArchitecture.resolve(schema: Fixtures.tinySchema, size: .medium)
        let a = FlatModel(architecture: architecture, seed: 1), b = FlatModel(architecture: architecture, seed: 1)
        let c = FlatModel(architecture: architecture, seed: 2)
        #expect(a.store.values == b.store.values)
        #expect(a.store.values != c.store.values)
        for run in a.network.zeroRuns { #expect(run.allSatisfy { a.store.values[$0] == 0 }) }
    }

    /// Sub-column k of a column must not see sub-columns ≥ k of its own column, nor columns that
    /// come later in the sample's order: changing those codes leaves its loss unchanged.
    @Test func autoregressiveMaskHolds() throws {
        let model = FlatModel(architecture: .resolve(schema: Fixtures.tinySchema, size: .medium), seed: 4)
        let order = ColumnOrders(rows: 1, order: [2, 1, 0])  // C, then B, then A
        let base = try EncodedData(rowCount: 1, subColumnCount: 4, codes: [0, 0, 1, 2])
        let changedA = try EncodedData(rowCount: 1, subColumnCount: 4, codes: [2, 0, 1, 2])
        let changedBE1 = try EncodedData(rowCount: 1, subColumnCount: 4, codes: [0, 0, 3, 2])
        let l0 = try model.loss(batch: base, orders: order)
        let lA = try model.loss(batch: changedA, orders: order)
        let lB = try model.loss(batch: changedBE1, orders: order)
        // A is last: nothing else depends on it.
        #expect(lA[1] == l0[1] && lA[2] == l0[2] && lA[3] == l0[3])
        // B/E1 is the last sub-column of B: B/nan and C do not see it; A does.
        #expect(lB[1] == l0[1] && lB[3] == l0[3])
        #expect(lB[0] != l0[0])
    }
}

@Suite struct FlatModelInputTests {
    @Test func emptyBatchGivesZeroLoss() throws {
        var model = FlatModel(architecture: .resolve(schema: Fixtures.tinySchema, size: .small), seed: 1)
        let empty = try EncodedData(rowCount: 0, subColumnCount: 4, codes: [])
        let orders = ColumnOrders(rows: 0, order: [0, 1, 2])
        #expect(try model.loss(batch: empty, orders: orders) == [0, 0, 0, 0])
        #expect(try model.accumulateGradients(batch: empty, orders: orders, dropoutSeed: 1) == [0, 0, 0, 0])
    }

    @Test func badCodesAndShapesAreNamed() throws {
        let model = FlatModel(architecture: .resolve(schema: Fixtures.tinySchema, size: .small), seed: 1)
        let bad = try EncodedData(rowCount: 2, subColumnCount: 4, codes: [0, 0, 0, 0, 0, 1, 7, 0])
        do {
            _ = try model.loss(batch: bad, orders: ColumnOrders(rows: 2, order: [0, 1, 2]))
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("row 1") && error.description.contains("code 7"), "\(error)")
        }
        do {
            try bad.validate(against: Fixtures.tinySchema)
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("B/E1") && error.description.contains("row 1"), "\(error)")
        }
        #expect(throws: ModelError.self) { try model.loss(batch: bad, orders: ColumnOrders(rows: 3, order: [0, 1, 2])) }
    }
}

@Suite struct FlatModelStepTests {
    /// A few manual optimiser steps lower the loss and keep the block layout's zeros at zero.
    @Test func manualStepsLowerTheLossAndKeepZeros() throws {
        var model = FlatModel(architecture: .resolve(schema: Fixtures.dependencySchema, size: .small), seed: 2)
        let batch = Fixtures.dependencyData(rows: 64, seed: 1)
        let orders = ColumnOrders(rows: 64, order: [0, 1, 2])
        var optimizer = AdamW(store: model.store, learningRate: 0.01)
        let before = try model.loss(batch: batch, orders: orders).reduce(0, +)
        for _ in 0..<30 {
            model.zeroGradients()
            _ = try model.accumulateGradients(batch: batch, orders: orders, dropoutSeed: nil)
            model.applyGradients(&optimizer)
        }
        let after = try model.loss(batch: batch, orders: orders).reduce(0, +)
        #expect(after < before - 0.5, "loss \(before) → \(after)")
        for run in model.network.zeroRuns { #expect(run.allSatisfy { model.store.values[$0] == 0 }) }
    }
}
