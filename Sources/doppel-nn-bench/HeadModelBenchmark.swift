import DoppelNN
import DoppelParallel

/// TabularARGN-shaped heads: a shared input `x [B, inputs]`, per head a regressor
/// `Linear(inputs → hidden)` on its masked view of x + ReLU, then a predictor
/// `Linear(hidden → classes)`, and softmax cross-entropy per head, summed.
struct HeadModelBenchmark {
    let batch: Int, heads: Int, inputs: Int, hidden: Int, classes: Int
    /// `"grouped"` or `"baseline"` to run one variant only (for profiling).
    var only = getEnvironment("DOPPEL_NN_BENCH_ONLY") ?? ""

    func run() {
        let x = Tensor(shape: [batch, inputs], storage: random(batch * inputs, seed: 3))
        var rng = SeededRandom(seed: 4)
        let targets = (0..<batch).map { _ in Int32(rng.uniform(below: classes)) }
        var maskValues = [Float](repeating: 0, count: heads * inputs)
        for g in 0..<heads { for i in 0..<inputs where rng.nextFloat() < 0.5 { maskValues[g * inputs + i] = 1 } }
        let mask = Tensor(shape: [heads, inputs], storage: maskValues)
        let flops = 6.0 * Double(batch) * Double(heads) * Double(inputs * hidden + hidden * classes)
        let steps = 10

        // Packed: 2 grouped layers for all heads.
        for directLimit in (only == "baseline" ? [] : only == "grouped-sgemm" ? [0] : [0, 1 << 30]) {
            var store = ParameterStore()
            let regressor = GroupedLinear(store: &store, name: "reg", groups: heads, inputs: inputs, outputs: hidden, layout: .shared)
            var predictor = GroupedLinear(store: &store, name: "pred", groups: heads, inputs: hidden, outputs: classes, layout: .perHead)
            predictor.directKernelLimit = directLimit
            var seed = SeededRandom(seed: 5)
            store.initialize(using: &seed)
            var adam = AdamW(store: store, learningRate: 1e-3)
            let t = bestTime(repeats: 3) {
                for _ in 0..<steps {
                    store.zeroGradients()
                    var h = regressor.forward(x, store, inputMask: mask)
                    ReLU.forwardInPlace(&h)
                    let logits = predictor.forward(h, store)
                    var dLogits = Tensor(shape: logits.shape)
                    for g in 0..<heads {
                        _ = try? SoftmaxCrossEntropy.lossAndGradient(logits: logits, columns: g * classes ..< (g + 1) * classes,
                                                                     targets: targets, accumulatingInto: &dLogits)
                    }
                    var dH = predictor.backward(x: h, dY: dLogits, store: &store)!
                    ReLU.backwardInPlace(output: h, gradient: &dH)
                    regressor.backward(x: x, dY: dH, store: &store, inputMask: mask, inputGradient: false)
                    adam.update(&store)
                }
            }
            let label = directLimit == 0 ? "grouped (predictor: sgemm per head)" : "grouped (predictor: direct kernel)  "
            report(label, t / Double(steps), flops, parameters: store.count)
        }

        // Packed, with the batch cut into blocks of 64 rows: each block's activations stay in cache.
        if batch > 64 && only != "grouped-sgemm" {
            var store = ParameterStore()
            let regressor = GroupedLinear(store: &store, name: "reg", groups: heads, inputs: inputs, outputs: hidden, layout: .shared)
            let predictor = GroupedLinear(store: &store, name: "pred", groups: heads, inputs: hidden, outputs: classes, layout: .perHead)
            var seed = SeededRandom(seed: 5)
            store.initialize(using: &seed)
            var adam = AdamW(store: store, learningRate: 1e-3)
            let block = 64
            let blocks = (0 ..< (batch + block - 1) / block).map { b -> (Tensor, [Int32]) in
                let rows = b * block ..< min(batch, (b + 1) * block)
                return (Tensor(shape: [rows.count, inputs], storage: Array(x.storage[rows.lowerBound * inputs ..< rows.upperBound * inputs])),
                        Array(targets[rows]))
            }
            let t = bestTime(repeats: 3) {
                for _ in 0..<steps {
                    store.zeroGradients()
                    for (xb, tb) in blocks {
                        var h = regressor.forward(xb, store, inputMask: mask)
                        ReLU.forwardInPlace(&h)
                        let logits = predictor.forward(h, store)
                        var dLogits = Tensor(shape: logits.shape)
                        for g in 0..<heads {
                            _ = try? SoftmaxCrossEntropy.lossAndGradient(logits: logits, columns: g * classes ..< (g + 1) * classes,
                                                                         targets: tb, reduction: .divide(by: Float(batch)),
                                                                         accumulatingInto: &dLogits)
                        }
                        var dH = predictor.backward(x: h, dY: dLogits, store: &store)!
                        ReLU.backwardInPlace(output: h, gradient: &dH)
                        regressor.backward(x: xb, dY: dH, store: &store, inputMask: mask, inputGradient: false)
                    }
                    adam.update(&store)
                }
            }
            report("grouped, row blocks of \(block)         ", t / Double(steps), flops, parameters: store.count)
        }

        if only.hasPrefix("grouped") { return }
        // Baseline: one Linear pair per head (2 layers × G heads of small GEMMs + masked input copies).
        var store = ParameterStore()
        let regressors = (0..<heads).map { Linear(store: &store, name: "reg\($0)", inputs: inputs, outputs: hidden) }
        let predictors = (0..<heads).map { Linear(store: &store, name: "pred\($0)", inputs: hidden, outputs: classes) }
        var seed = SeededRandom(seed: 5)
        store.initialize(using: &seed)
        var adam = AdamW(store: store, learningRate: 1e-3)
        let maskedInputs = (0..<heads).map { g -> Tensor in
            var xg = x
            for r in 0..<batch { for i in 0..<inputs { xg.storage[r * inputs + i] *= maskValues[g * inputs + i] } }
            return xg
        }
        let t = bestTime(repeats: 3) {
            for _ in 0..<steps {
                store.zeroGradients()
                for g in 0..<heads {
                    let h = ReLU.forward(regressors[g].forward(maskedInputs[g], store))
                    let logits = predictors[g].forward(h, store)
                    guard let (_, dLogits) = try? SoftmaxCrossEntropy.forwardBackward(logits: logits, targets: targets) else { continue }
                    let dH = predictors[g].backward(x: h, dY: dLogits, store: &store)!
                    regressors[g].backward(x: maskedInputs[g], dY: ReLU.backward(output: h, dY: dH), store: &store, inputGradient: false)
                }
                adam.update(&store)
            }
        }
        report("one Linear pair per head          ", t / Double(steps), flops, parameters: store.count)
    }

    func report(_ label: String, _ seconds: Double, _ flops: Double, parameters: Int) {
        let ms = (seconds * 1e5).rounded() / 100
        print("  \(label)  \(ms) ms/step  \(Int((flops / seconds / 1e9).rounded())) GFLOP/s (GEMM flops)  \(parameters) parameters")
    }
}
