import DoppelParallel
import Testing
@testable import DoppelNN

/// A 2-layer MLP `Linear → ReLU → Dropout → Linear → softmax cross-entropy`, composed from the layers.
struct TinyMLP {
    var store = ParameterStore()
    let first: Linear
    let second: Linear
    let dropoutRate: Float

    init(inputs: Int, hidden: Int, classes: Int, dropout: Float, seed: UInt64) {
        first = Linear(store: &store, name: "fc1", inputs: inputs, outputs: hidden)
        second = Linear(store: &store, name: "fc2", inputs: hidden, outputs: classes)
        dropoutRate = dropout
        var rng = SeededRandom(seed: seed)
        store.initialize(using: &rng)
    }

    /// Loss for `x` with a given dropout mask (nil = evaluation); gradients accumulated when `backward`.
    /// Returns the loss and `dX`.
    mutating func step(_ x: Tensor, _ targets: [Int32], mask: Tensor?, backward: Bool) -> (loss: Float, dX: Tensor?) {
        let h = first.forward(x, store)
        let a = ReLU.forward(h)
        let d = mask.map { Dropout.apply(mask: $0, to: a) } ?? a
        let logits = second.forward(d, store)
        let (loss, dLogits) = try! SoftmaxCrossEntropy.forwardBackward(logits: logits, targets: targets)
        guard backward else { return (loss, nil) }
        let dD = second.backward(x: d, dY: dLogits, store: &store)!
        let dA = mask.map { Dropout.apply(mask: $0, to: dD) } ?? dD
        let dH = ReLU.backward(output: a, dY: dA)
        return (loss, first.backward(x: x, dY: dH, store: &store))
    }

    /// `steps` AdamW steps on (x, targets), with a fresh seeded dropout mask per step.
    mutating func train(_ x: Tensor, _ targets: [Int32], steps: Int, learningRate: Float, seed: UInt64) -> Float {
        var adam = AdamW(store: store, learningRate: learningRate, settings: .init(weightDecay: 0))
        var last: Float = 0
        for s in 0..<steps {
            var dropout = Dropout(probability: dropoutRate, random: SeededRandom.stream(seed: seed, [UInt64(s)]))
            let mask = dropout.isActive ? dropout.mask(shape: [x.rows, first.outputs]) : nil
            store.zeroGradients()
            last = step(x, targets, mask: mask, backward: true).loss
            GradientClipping.clipNorm(&store, maxNorm: 10)
            adam.update(&store)
        }
        return last
    }
}

@Suite struct TrainingTests {
    @Test func mlpGradientsMatchFiniteDifferences() {
        var model = TinyMLP(inputs: 3, hidden: 6, classes: 4, dropout: 0.25, seed: 81)
        let x = GradientCheck.randomTensor([5, 3], seed: 82)
        let targets: [Int32] = [0, 3, 1, 2, 3]
        var dropout = Dropout(probability: model.dropoutRate, random: SeededRandom(seed: 83))
        let mask = dropout.mask(shape: [5, 6])
        let (_, dX) = model.step(x, targets, mask: mask, backward: true)
        let base = model
        let lossAt = { (store: ParameterStore, input: Tensor) -> Double in
            var m = base
            m.store = store
            return Double(m.step(input, targets, mask: mask, backward: false).loss)
        }
        GradientCheck.expectClose(dX!.storage, GradientCheck.numerical(x.storage, h: 1e-3) { lossAt(base.store, Tensor(shape: [5, 3], storage: $0)) },
                                  atol: 3e-3, "dX")
        for slice in base.store.slices {
            let numeric = GradientCheck.numerical(base.store.tensor(slice).storage, h: 1e-3) { lossAt(GradientCheck.with(base.store, slice, $0), x) }
            GradientCheck.expectClose(base.store.gradient(slice).storage, numeric, atol: 3e-3, slice.name)
        }
    }

    @Test func sameSeedGivesIdenticalParametersAfterInitAndTraining() {
        let x = GradientCheck.randomTensor([16, 4], seed: 91)
        let targets = (0..<16).map { Int32($0 % 3) }
        var a = TinyMLP(inputs: 4, hidden: 8, classes: 3, dropout: 0.25, seed: 92)
        var b = TinyMLP(inputs: 4, hidden: 8, classes: 3, dropout: 0.25, seed: 92)
        let c = TinyMLP(inputs: 4, hidden: 8, classes: 3, dropout: 0.25, seed: 93)
        #expect(a.store.values == b.store.values)
        #expect(a.store.values != c.store.values)
        _ = a.train(x, targets, steps: 10, learningRate: 0.01, seed: 94)
        _ = b.train(x, targets, steps: 10, learningRate: 0.01, seed: 94)
        #expect(a.store.values == b.store.values)
        #expect(a.store.values != TinyMLP(inputs: 4, hidden: 8, classes: 3, dropout: 0.25, seed: 92).store.values)
    }

    @Test func initialisersFollowPyTorchDefaults() {
        var store = ParameterStore()
        let linear = Linear(store: &store, name: "fc", inputs: 100, outputs: 50)
        let embedding = EmbeddingSet(store: &store, name: "emb", cardinalities: [200], dimensions: [50])
        var rng = SeededRandom(seed: 1)
        store.initialize(using: &rng)
        let w = store.tensor(linear.weight).storage
        #expect(w.allSatisfy { abs($0) <= 0.1 })
        #expect(w.contains { abs($0) > 0.09 })
        let e = store.tensor(embedding.tables[0]).storage.map(Double.init)
        let mean = e.reduce(0, +) / Double(e.count)
        let variance = e.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(e.count)
        #expect(abs(mean) < 0.05 && abs(variance - 1) < 0.05)
        // Adding a layer later leaves the earlier slices' values unchanged.
        var bigger = store
        _ = Linear(store: &bigger, name: "extra", inputs: 3, outputs: 3)
        var rng2 = SeededRandom(seed: 1)
        bigger.initialize(using: &rng2)
        #expect(Array(bigger.values[0 ..< store.count]) == store.values)
    }

    @Test func gradientClippingScalesToMaxNorm() {
        var store = ParameterStore()
        _ = store.allocate("p", shape: [2], initializer: .zeros)
        store.gradients = [3, 4]
        #expect(GradientClipping.clipNorm(&store, maxNorm: 10) == 5)
        #expect(store.gradients == [3, 4])
        #expect(GradientClipping.clipNorm(&store, maxNorm: 1) == 5)
        #expect(abs(GradientClipping.norm(store) - 1) < 1e-5)
    }

    @Test func mlpLearnsXOR() {
        let x = Tensor(shape: [4, 2], storage: [0, 0, 0, 1, 1, 0, 1, 1])
        let targets: [Int32] = [0, 1, 1, 0]
        var model = TinyMLP(inputs: 2, hidden: 16, classes: 2, dropout: 0, seed: 101)
        let initial = model.step(x, targets, mask: nil, backward: false).loss
        _ = model.train(x, targets, steps: 300, learningRate: 0.05, seed: 102)
        let final = model.step(x, targets, mask: nil, backward: false).loss
        #expect(initial > 0.5)
        #expect(final < 0.05)
    }
}

@Suite struct DataParallelTests {
    @Test func summedWorkerGradientsEqualTheFullBatchGradient() {
        // Loss with .sum reduction: gradients of two halves add up to the gradient of the whole.
        var base = ParameterStore()
        let layer = Linear(store: &base, name: "fc", inputs: 3, outputs: 4)
        base = GradientCheck.initialized(base, seed: 121)
        let x = GradientCheck.randomTensor([6, 3], seed: 122)
        let targets: [Int32] = [0, 1, 2, 3, 0, 1]
        func gradient(rows: Range<Int>, store: inout ParameterStore) {
            let xs = Tensor(shape: [rows.count, 3], storage: Array(x.storage[rows.lowerBound * 3 ..< rows.upperBound * 3]))
            let (_, dLogits) = try! SoftmaxCrossEntropy.forwardBackward(logits: layer.forward(xs, store), targets: Array(targets[rows]),
                                                                       reduction: .sum)
            layer.backward(x: xs, dY: dLogits, store: &store, inputGradient: false)
        }
        var full = base
        gradient(rows: 0..<6, store: &full)
        var worker0 = base, worker1 = base
        gradient(rows: 0..<3, store: &worker0)
        gradient(rows: 3..<6, store: &worker1)
        worker0.addGradients(of: worker1)
        for i in full.gradients.indices { #expect(abs(full.gradients[i] - worker0.gradients[i]) < 1e-5) }
        #expect(worker0.values == base.values)
    }
}
