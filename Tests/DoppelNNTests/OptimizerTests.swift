import DoppelParallel
import Foundation
import Testing
@testable import DoppelNN

@Suite struct AdamWTests {
    /// One trainable scalar and one frozen scalar.
    static func store() -> (ParameterStore, ParameterSlice, ParameterSlice) {
        var store = ParameterStore()
        let p = store.allocate("p", shape: [1], initializer: .constant(1))
        let frozen = store.allocate("frozen", shape: [1], initializer: .constant(3), trainable: false)
        var rng = SeededRandom(seed: 0)
        store.initialize(using: &rng)
        return (store, p, frozen)
    }

    @Test func twoStepsMatchHandComputedPyTorchUpdates() {
        var (store, p, frozen) = Self.store()
        var adam = AdamW(store: store, learningRate: 0.1)
        // Step 1, g = 0.5: θ = 1·(1 − 0.1·0.01) = 0.999; m̂ = 0.5, √v̂ = 0.5 ⇒ θ = 0.999 − 0.1 = 0.899.
        store.gradients[p.offset] = 0.5
        store.gradients[frozen.offset] = 7
        adam.update(&store)
        #expect(abs(store.values[p.offset] - 0.899) < 1e-6)
        #expect(store.values[frozen.offset] == 3)
        // Step 2, g = −0.2, written out: m = 0.025, v = 0.00028975,
        // θ = 0.899·0.999 − (0.1/0.19)·0.025 / (√0.00028975/√0.001999 + 1e-8).
        store.gradients[p.offset] = -0.2
        adam.update(&store)
        let expected = 0.899 * 0.999 - (0.1 / 0.19) * 0.025 / ((0.00028975).squareRoot() / (0.001999).squareRoot() + 1e-8)
        #expect(abs(Double(store.values[p.offset]) - expected) < 1e-5)
        #expect(adam.step == 2)
        #expect(store.values[frozen.offset] == 3)
    }

    @Test func epsilonIsAddedAfterBiasCorrection() {
        // With g = 0 from the start m = v = 0, so only weight decay acts; with a tiny gradient
        // the update is lr·m̂/(√v̂ + ε) ≈ lr·sign(g) when ε ≪ |g|, but ≈ lr·g/ε when ε ≫ |g|.
        var (store, p, _) = Self.store()
        var adam = AdamW(store: store, learningRate: 0.1, settings: .init(epsilon: 1e-3, weightDecay: 0))
        store.gradients[p.offset] = 1e-6
        adam.update(&store)
        let expected = 1 - 0.1 * 1e-6 / (1e-6 + 1e-3)
        #expect(abs(Double(store.values[p.offset]) - expected) < 1e-7)
    }

    @Test func stateRestoreContinuesIdentically() {
        var (store, p, _) = Self.store()
        var adam = AdamW(store: store, learningRate: 0.05)
        for step in 0..<3 { store.gradients[p.offset] = Float(step) - 0.7; adam.update(&store) }
        var copyStore = store
        var resumed = AdamW(store: copyStore, restoring: adam.state)
        for step in 0..<3 {
            store.gradients[p.offset] = Float(step) * 0.3
            copyStore.gradients[p.offset] = Float(step) * 0.3
            adam.update(&store)
            resumed.update(&copyStore)
        }
        #expect(store.values == copyStore.values)
        #expect(adam.state == resumed.state)
    }
}

extension AdamWTests {
    /// A store longer than two parallel chunks with a frozen slice in the middle and an odd tail:
    /// the chunked, vectorised, threaded update gives every parameter exactly the bits of the
    /// one-at-a-time PyTorch formula, whatever the number of workers.
    @Test func chunkedThreadedUpdateEqualsTheScalarFormulaBitForBit() {
        var store = ParameterStore()
        let a = store.allocate("a", shape: [AdamW.chunkSize + 13], initializer: .uniform(lower: -1, upper: 1))
        let frozen = store.allocate("frozen", shape: [5], initializer: .constant(2), trainable: false)
        let b = store.allocate("b", shape: [AdamW.chunkSize + 7], initializer: .uniform(lower: -1, upper: 1))
        var random = SeededRandom(seed: 11)
        store.initialize(using: &random)
        var one = store, two = store
        var adamOne = AdamW(store: one, learningRate: 0.01), adamTwo = AdamW(store: two, learningRate: 0.01)
        var theta = store.values, m = [Float](repeating: 0, count: store.count), v = m
        for step in 1...3 {
            var gradients = [Float](repeating: 0, count: store.count)
            for i in gradients.indices { gradients[i] = random.nextFloat() - 0.5 }
            one.gradients = gradients
            two.gradients = gradients
            adamOne.update(&one, workers: 1)
            adamTwo.update(&two, workers: 2)
            // The constants as AdamW forms them: Float settings widened to Double.
            let lr = Double(Float(0.01))
            let decay = Float(1 - lr * Double(Float(0.01))), stepSize = Float(lr / (1 - pow(Double(Float(0.9)), Double(step))))
            let root = Float((1 - pow(Double(Float(0.999)), Double(step))).squareRoot())
            for i in a.range.lowerBound ..< b.range.upperBound where !frozen.range.contains(i) {
                let g = gradients[i]
                let p = theta[i] * decay
                m[i] = 0.9 * m[i] + (1 - 0.9) * g
                v[i] = 0.999 * v[i] + (1 - 0.999) * g * g
                theta[i] = p - stepSize * m[i] / (v[i].squareRoot() / root + 1e-8)
            }
        }
        #expect(one.values == two.values)
        #expect(one.values == theta)
        #expect(Array(one.values[frozen.range]) == [2, 2, 2, 2, 2])
    }
}

@Suite struct ReduceLROnPlateauTests {
    @Test func halvesAfterPatienceExceededAndStopsAtMinimum() {
        var schedule = ReduceLROnPlateau(initialRate: 1, factor: 0.5, patience: 2, minimumRate: 0.1)
        // 8.9995 is not an improvement on 9 with the relative threshold 1e-4 (needs < 8.9991).
        let losses: [Double] = [10, 9, 9, 8.9995, 9, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 7]
        let rates = losses.map { schedule.step($0) }
        let expected: [Float] = [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125, 0.1,
                                 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
        #expect(rates == expected)
        #expect(schedule.best == 7)
        #expect(schedule.badEpochs == 0)
    }

    @Test func cooldownSuspendsCounting() {
        var schedule = ReduceLROnPlateau(initialRate: 1, factor: 0.5, patience: 0, cooldown: 1)
        let rates = [5.0, 5, 5, 5, 5].map { schedule.step($0) }
        // patience 0: every bad epoch reduces, except the one right after a reduction (cooldown).
        #expect(rates == [1, 0.5, 0.5, 0.25, 0.25])
    }

    @Test func stateRoundTripsThroughCodable() throws {
        var schedule = ReduceLROnPlateau(initialRate: 0.004, minimumRate: 0.0004)
        for loss in [3.0, 2.5, 2.6] { schedule.step(loss) }
        let data = try JSONEncoder().encode(schedule)
        var restored = try JSONDecoder().decode(ReduceLROnPlateau.self, from: data)
        #expect(restored == schedule)
        #expect(restored.step(2.6) == schedule.step(2.6))
    }
}
