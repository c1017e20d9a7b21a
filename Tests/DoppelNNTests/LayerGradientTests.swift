import DoppelParallel
import Testing
@testable import DoppelNN

/// Every layer's backward pass against central finite differences of a random projection loss.
@Suite struct LayerGradientTests {
    @Test(arguments: [true, false])
    func linear(hasBias: Bool) {
        var empty = ParameterStore()
        let layer = Linear(store: &empty, name: "fc", inputs: 4, outputs: 3, hasBias: hasBias)
        var store = GradientCheck.initialized(empty, seed: 7)
        let x = GradientCheck.randomTensor([5, 4], seed: 8)
        let (r, dY) = GradientCheck.randomProjection(shape: [5, 3], seed: 9)

        let dX = layer.backward(x: x, dY: dY, store: &store)!
        let loss = { (s: ParameterStore, input: Tensor) in GradientCheck.projection(layer.forward(input, s), r) }
        GradientCheck.expectClose(dX.storage, GradientCheck.numerical(x.storage) { loss(store, Tensor(shape: [5, 4], storage: $0)) }, "dX")
        let w = layer.weight
        GradientCheck.expectClose(store.gradient(w).storage,
                                  GradientCheck.numerical(store.tensor(w).storage) { loss(GradientCheck.with(store, w, $0), x) }, "dW")
        if let b = layer.bias {
            GradientCheck.expectClose(store.gradient(b).storage,
                                      GradientCheck.numerical(store.tensor(b).storage) { loss(GradientCheck.with(store, b, $0), x) }, "db")
        }
    }

    @Test func linearForwardMatchesNaiveProduct() {
        var empty = ParameterStore()
        let layer = Linear(store: &empty, name: "fc", inputs: 6, outputs: 4)
        let store = GradientCheck.initialized(empty, seed: 1)
        let x = GradientCheck.randomTensor([3, 6], seed: 2)
        var expected = MatMul.naiveMatmul(x, store.tensor(layer.weight), transposeB: true)
        for row in 0..<3 { for o in 0..<4 { expected[row, o] += store.tensor(layer.bias!).storage[o] } }
        #expect(layer.forward(x, store).maxAbsDifference(expected) < 1e-5)
    }

    @Test func linearBackwardAccumulatesGradients() {
        var empty = ParameterStore()
        let layer = Linear(store: &empty, name: "fc", inputs: 3, outputs: 2)
        var store = GradientCheck.initialized(empty, seed: 1)
        let x = GradientCheck.randomTensor([4, 3], seed: 2)
        let dY = GradientCheck.randomTensor([4, 2], seed: 3)
        layer.backward(x: x, dY: dY, store: &store, inputGradient: false)
        let once = store.gradients
        layer.backward(x: x, dY: dY, store: &store, inputGradient: false)
        for i in once.indices { #expect(abs(store.gradients[i] - 2 * once[i]) < 1e-5) }
        store.zeroGradients()
        #expect(store.gradients.allSatisfy { $0 == 0 })
    }

    @Test func linearPointerPassesWorkOnStridedBlocks() {
        // The layer reads columns 2..<6 of a [3, 9] matrix and writes columns 1..<5 of a [3, 7] one.
        var empty = ParameterStore()
        let layer = Linear(store: &empty, name: "fc", inputs: 4, outputs: 4)
        var store = GradientCheck.initialized(empty, seed: 61)
        let wide = GradientCheck.randomTensor([3, 9], seed: 62)
        var x = Tensor(shape: [3, 4])
        for r in 0..<3 { for i in 0..<4 { x[r, i] = wide[r, 2 + i] } }
        let expected = layer.forward(x, store)
        var out = Tensor(shape: [3, 7], repeating: 7)
        store.values.withUnsafeBufferPointer { v in
            wide.storage.withUnsafeBufferPointer { w in
                out.storage.withUnsafeMutableBufferPointer { o in
                    layer.forward(rows: 3, x: w.baseAddress! + 2, ldx: 9, values: v.baseAddress!, y: o.baseAddress! + 1, ldy: 7)
                }
            }
        }
        for r in 0..<3 {
            #expect(out[r, 0] == 7 && out[r, 5] == 7 && out[r, 6] == 7)
            for o in 0..<4 { #expect(out[r, 1 + o] == expected[r, o]) }
        }
        // Backward with an accumulated input gradient adds dY·W to what is there.
        let dY = GradientCheck.randomTensor([3, 4], seed: 63)
        let dX = layer.backward(x: x, dY: dY, store: &store)!
        var accumulated = Tensor(shape: [3, 9], repeating: 1)
        store.withValuesAndGradients { v, g in
            wide.storage.withUnsafeBufferPointer { w in
                dY.storage.withUnsafeBufferPointer { d in
                    accumulated.storage.withUnsafeMutableBufferPointer { a in
                        layer.backward(rows: 3, x: w.baseAddress! + 2, ldx: 9, dY: d.baseAddress!, lddY: 4, values: v.baseAddress!,
                                       gradients: g.baseAddress!, dX: a.baseAddress! + 2, lddX: 9, accumulateInput: true)
                    }
                }
            }
        }
        for r in 0..<3 {
            #expect(accumulated[r, 0] == 1 && accumulated[r, 8] == 1)
            for i in 0..<4 { #expect(abs(accumulated[r, 2 + i] - 1 - dX[r, i]) < 1e-5) }
        }
    }

    @Test func embeddingScatterAddsRepeatedCodes() throws {
        var empty = ParameterStore()
        let layer = EmbeddingSet(store: &empty, name: "emb", cardinalities: [5], dimensions: [3])
        let table = layer.tables[0]
        var store = GradientCheck.initialized(empty, seed: 11)
        let codes: [Int32] = [1, 4, 1, 0, 1, 3]
        let (r, dY) = GradientCheck.randomProjection(shape: [6, 3], seed: 12)
        let y = try layer.forward(codes: codes, store)
        for (row, code) in codes.enumerated() {
            for j in 0..<3 { #expect(y[row, j] == store.values[table.offset + Int(code) * 3 + j]) }
        }
        try layer.backward(codes: codes, dY: dY, store: &store)
        let numeric = GradientCheck.numerical(store.tensor(table).storage) { values in
            GradientCheck.projection(try! layer.forward(codes: codes, GradientCheck.with(store, table, values)), r)
        }
        GradientCheck.expectClose(store.gradient(table).storage, numeric, "dE")
        // Code 2 is never used: its gradient row stays zero.
        #expect(store.gradient(table).storage[6..<9].allSatisfy { $0 == 0 })
    }

    @Test func embeddingRejectsCodesOutsideTheTable() {
        var store = ParameterStore()
        let layer = EmbeddingSet(store: &store, name: "emb", cardinalities: [3], dimensions: [2])
        #expect(throws: NNError.codeOutOfRange(layer: "emb.0", row: 1, code: 3, cardinality: 3)) {
            try layer.forward(codes: [0, 3], store)
        }
        #expect(throws: NNError.self) { try layer.forward(codes: [-1], store) }
    }

    @Test func relu() {
        // Inputs kept away from the kink at 0 so finite differences are valid.
        var x = GradientCheck.randomTensor([4, 5], seed: 21)
        for i in 0..<x.count { x.storage[i] += x.storage[i] >= 0 ? 0.1 : -0.1 }
        let (r, dY) = GradientCheck.randomProjection(shape: [4, 5], seed: 22)
        let y = ReLU.forward(x)
        #expect(y.storage.allSatisfy { $0 >= 0 })
        let dX = ReLU.backward(output: y, dY: dY)
        let numeric = GradientCheck.numerical(x.storage) { GradientCheck.projection(ReLU.forward(Tensor(shape: [4, 5], storage: $0)), r) }
        GradientCheck.expectClose(dX.storage, numeric, "dX")
        #expect(dX.storage.contains(0) && x.storage.contains { $0 < 0 })
    }

    @Test func reluPropagatesNaNLikePyTorch() {
        // 11 elements: the SIMD body and the scalar tail treat NaN alike.
        var values: [Float] = [-1, 2, .nan, 0, -0.5, 3, -2, 1, .nan, -3, 4]
        let y = ReLU.forward(Tensor(shape: [1, 11], storage: values))
        #expect(y.storage[2].isNaN && y.storage[8].isNaN)
        values[2] = 0; values[8] = 0
        #expect(y.storage.enumerated().allSatisfy { i, v in i == 2 || i == 8 || v == max(values[i], 0) })
        // The gradient passes where the output is NaN and stops where it is ≤ 0.
        let dX = ReLU.backward(output: y, dY: Tensor(shape: [1, 11], repeating: 1))
        #expect(dX.storage == [0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1])
    }

    @Test func dropoutWithFixedMask() {
        var dropout = Dropout(probability: 0.25, random: SeededRandom(seed: 31))
        let mask = dropout.mask(shape: [6, 8])
        let keep: Float = 1 / 0.75
        #expect(mask.storage.allSatisfy { $0 == 0 || $0 == keep })
        #expect(mask.storage.contains(0) && mask.storage.contains(keep))
        let x = GradientCheck.randomTensor([6, 8], seed: 32)
        let (r, dY) = GradientCheck.randomProjection(shape: [6, 8], seed: 33)
        let dX = Dropout.apply(mask: mask, to: dY)
        let numeric = GradientCheck.numerical(x.storage) { GradientCheck.projection(Dropout.apply(mask: mask, to: Tensor(shape: [6, 8], storage: $0)), r) }
        GradientCheck.expectClose(dX.storage, numeric, "dX")
    }

    @Test func dropoutIsSeededInvertedAndIdentityInEvaluation() {
        var a = Dropout(probability: 0.25, random: SeededRandom(seed: 5))
        var b = Dropout(probability: 0.25, random: SeededRandom(seed: 5))
        var c = Dropout(probability: 0.25, random: SeededRandom(seed: 6))
        let ma = a.mask(shape: [200, 50])
        #expect(ma == b.mask(shape: [200, 50]))
        #expect(ma != c.mask(shape: [200, 50]))
        let dropped = Double(ma.storage.filter { $0 == 0 }.count) / Double(ma.count)
        #expect(abs(dropped - 0.25) < 0.02)
        // Inverted scaling keeps the mean.
        let mean = ma.storage.reduce(0.0) { $0 + Double($1) } / Double(ma.count)
        #expect(abs(mean - 1) < 0.03)
        var evaluation = Dropout.evaluation
        #expect(!evaluation.isActive)
        #expect(evaluation.mask(shape: [3, 4]) == Tensor(shape: [3, 4], repeating: 1))
    }

    @Test func dropoutStreamDoesNotDependOnHowMasksAreCut() {
        // A mask drawn in pieces of odd sizes equals one drawn at once (leftover draws are used first).
        var whole = Dropout(probability: 0.5, random: SeededRandom(seed: 9))
        var pieces = Dropout(probability: 0.5, random: SeededRandom(seed: 9))
        let reference = whole.mask(shape: [1, 37]).storage
        var cut: [Float] = []
        for size in [3, 1, 6, 2, 9, 16] { cut += pieces.mask(shape: [1, size]).storage }
        #expect(cut == reference)
    }

    @Test(arguments: [SoftmaxCrossEntropy.Reduction.mean, .sum, .weightedMean, .divide(by: 3)])
    func softmaxCrossEntropy(reduction: SoftmaxCrossEntropy.Reduction) throws {
        let logits = GradientCheck.randomTensor([5, 4], seed: 41, scale: 3)
        let targets: [Int32] = [0, 3, 2, 2, 1]
        let weights: [Float] = [1, 0, 0.5, 2, 1]
        let (loss, dLogits) = try SoftmaxCrossEntropy.forwardBackward(logits: logits, targets: targets, weights: weights, reduction: reduction)
        let lossOf = { (values: [Float]) -> Double in
            Double(try! SoftmaxCrossEntropy.forwardBackward(logits: Tensor(shape: [5, 4], storage: values), targets: targets,
                                                            weights: weights, reduction: reduction).loss)
        }
        #expect(abs(Double(loss) - lossOf(logits.storage)) < 1e-6)
        GradientCheck.expectClose(dLogits.storage, GradientCheck.numerical(logits.storage, h: 1e-2, lossOf), "dLogits")
        // The masked row (weight 0) gets no gradient.
        #expect(dLogits.storage[4..<8].allSatisfy { $0 == 0 })
    }

    @Test func softmaxCrossEntropyValuesAndStability() throws {
        // Uniform logits: loss = log C for every row.
        let uniform = Tensor(shape: [2, 4], repeating: 0)
        let (loss, _) = try SoftmaxCrossEntropy.forwardBackward(logits: uniform, targets: [1, 3])
        #expect(abs(Double(loss) - 1.3862944) < 1e-6)
        // Huge logits do not overflow.
        let huge = Tensor(shape: [1, 3], storage: [1000, 0, -1000])
        let (l1, g1) = try SoftmaxCrossEntropy.forwardBackward(logits: huge, targets: [0])
        #expect(l1.isFinite && l1 < 1e-6)
        #expect(g1.storage.allSatisfy { $0.isFinite })
        let (l2, _) = try SoftmaxCrossEntropy.forwardBackward(logits: huge, targets: [1])
        #expect(abs(l2 - 1000) < 1e-3)
        let rows = try SoftmaxCrossEntropy.rowLosses(logits: huge, targets: [2])
        #expect(abs(rows[0] - 2000) < 1e-3)
        let p = SoftmaxCrossEntropy.probabilities(logits: Tensor(shape: [1, 2], storage: [0, Float(2.0.squareRoot())]), temperature: 2)
        #expect(abs(p.storage.reduce(0, +) - 1) < 1e-6)
        #expect(throws: NNError.self) { try SoftmaxCrossEntropy.forwardBackward(logits: uniform, targets: [4, 0]) }
    }

    @Test func softmaxCrossEntropyOnPackedHeadColumns() throws {
        // Two heads packed in one [3, 5] logits matrix: columns 0..<2 and 2..<5.
        let logits = GradientCheck.randomTensor([3, 5], seed: 51, scale: 2)
        let t1: [Int32] = [1, 0, 1], t2: [Int32] = [2, 0, 1]
        var gradient = Tensor(shape: [3, 5])
        let l1 = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, columns: 0..<2, targets: t1, accumulatingInto: &gradient)
        let l2 = try SoftmaxCrossEntropy.lossAndGradient(logits: logits, columns: 2..<5, targets: t2, accumulatingInto: &gradient)
        let sumOfHeads = { (values: [Float]) -> Double in
            let z = Tensor(shape: [3, 5], storage: values)
            let a = try! SoftmaxCrossEntropy.rowLosses(logits: z, columns: 0..<2, targets: t1)
            let b = try! SoftmaxCrossEntropy.rowLosses(logits: z, columns: 2..<5, targets: t2)
            return (a.reduce(0, +) + b.reduce(0, +)) / 3
        }
        #expect(abs(Double(l1 + l2) - sumOfHeads(logits.storage)) < 1e-5)
        GradientCheck.expectClose(gradient.storage, GradientCheck.numerical(logits.storage, sumOfHeads), "dLogits")
    }
}

@Suite struct EmbeddingSetTests {
    @Test func concatenatesTablesAndScatterAddsPerTable() throws {
        var empty = ParameterStore()
        let set = EmbeddingSet(store: &empty, name: "sub", cardinalities: [3, 2, 4], dimensions: [2, 1, 3], frozen: [1])
        var store = GradientCheck.initialized(empty, seed: 111)
        #expect(set.outputWidth == 6 && set.outputOffsets == [0, 2, 3])
        let codes: [Int32] = [2, 0, 3,
                              2, 1, 0,
                              0, 1, 3]
        let y = try set.forward(codes: codes, store)
        #expect(y.shape == [3, 6])
        #expect(y[1, 0] == store.values[set.tables[0].offset + 2 * 2])
        #expect(y[2, 2] == store.values[set.tables[1].offset + 1])
        #expect(y[0, 5] == store.values[set.tables[2].offset + 3 * 3 + 2])
        let (r, dY) = GradientCheck.randomProjection(shape: [3, 6], seed: 112)
        try set.backward(codes: codes, dY: dY, store: &store)
        for c in [0, 2] {
            let slice = set.tables[c]
            let numeric = GradientCheck.numerical(store.tensor(slice).storage) { values in
                GradientCheck.projection(try! set.forward(codes: codes, GradientCheck.with(store, slice, values)), r)
            }
            GradientCheck.expectClose(store.gradient(slice).storage, numeric, "table \(c)")
        }
        // The frozen table collects no gradient.
        #expect(store.gradient(set.tables[1]).storage.allSatisfy { $0 == 0 })
        #expect(throws: NNError.codeOutOfRange(layer: "sub.1", row: 0, code: 2, cardinality: 2)) {
            try set.forward(codes: [0, 2, 0], store)
        }
    }
}
