// doppel-nn-bench: throughput of the neural core.
//
//   swift build -c release --product doppel-nn-bench
//   OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX .build/release/doppel-nn-bench
//
// Prints the OpenBLAS kernel in use, sgemm GFLOP/s at MLP shapes (all transpose variants used by
// the layers), and the time of one forward + backward + AdamW step of a grouped-head model
// shaped like TabularARGN's regressors and predictors, packed vs. one layer per head.
import DoppelNN
import DoppelParallel
#if canImport(Glibc)
import Glibc
#endif

let environment = ["OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE"].map { name in
    "\(name)=\(getEnvironment(name) ?? "(unset)")"
}.joined(separator: " ")
print("doppel-nn-bench: \(BLASRuntime.summary); avx512f: \(BLASRuntime.cpuHasAVX512F()); \(environment)")
BLASRuntime.useSingleThread()
// DOPPEL_NN_BENCH_MALLOC=default keeps glibc's defaults (to measure what the tuning buys).
let allocatorTuned = getEnvironment("DOPPEL_NN_BENCH_MALLOC") == "default" ? false : AllocatorTuning.retainFreedMemory()
print("glibc malloc tuned to retain freed memory: \(allocatorTuned)")

/// Best CPU time of this thread in seconds over `repeats` runs of `body`, after one warm-up run.
/// CPU time rather than wall time: the build machine is shared, and with single-threaded BLAS all
/// the work runs on this thread.
func bestTime(repeats: Int, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = threadCPUSeconds()
        body()
        best = min(best, threadCPUSeconds() - start)
    }
    return best
}

func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func random(_ count: Int, seed: UInt64) -> [Float] {
    var rng = SeededRandom(seed: seed)
    return (0..<count).map { _ in rng.nextFloat() * 2 - 1 }
}

// MARK: sgemm

/// Sections to run: `sgemm`, `heads` (default: both), from the command line.
let sections = Set(CommandLine.arguments.dropFirst()).isEmpty ? ["sgemm", "heads"] : Set(CommandLine.arguments.dropFirst())

if sections.contains("sgemm") {
print("\nsgemm, row-major C[M×N] = op(A)·op(B), single thread, best of 5 × (≥ 50 MFLOP), thread CPU time")
print("   M ×    N ×    K  op      GFLOP/s")
let shapes = [(1024, 256, 256), (256, 64, 64), (256, 256, 256), (2048, 512, 512), (512, 16, 64), (512, 800, 64), (64, 256, 256)]
for (m, n, k) in shapes {
    for (ta, tb, label) in [(false, true, "x·Wᵀ"), (true, false, "dYᵀ·x"), (false, false, "dY·W")] {
        let a = random(m * k, seed: 1), b = random(k * n, seed: 2)
        var c = [Float](repeating: 0, count: m * n)
        let flops = 2.0 * Double(m * n * k)
        let calls = max(1, Int(50e6 / flops))
        let t = bestTime(repeats: 5) {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        for _ in 0..<calls {
                            MatMul.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k,
                                        a: pa.baseAddress!, lda: ta ? m : k, b: pb.baseAddress!, ldb: tb ? k : n,
                                        beta: 0, c: pc.baseAddress!, ldc: n)
                    }
                    }
                }
            }
        }
        print(pad(m, 4), "×", pad(n, 4), "×", pad(k, 4), " ", label + String(repeating: " ", count: max(0, 6 - label.count)),
              pad(Int((flops * Double(calls) / t / 1e9).rounded()), 8))
    }
}

}

func pad(_ value: Int, _ width: Int) -> String {
    let s = String(value)
    return String(repeating: " ", count: max(0, width - s.count)) + s
}

func getEnvironment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

// MARK: grouped-head training step

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

let headShapes = sections.contains("heads200") ? [(512, 200, 64, 16, 2)] : sections.contains("heads50") ? [(512, 50, 64, 16, 16)]
    : sections.contains("heads") ? [(512, 50, 64, 16, 16), (512, 200, 64, 16, 2), (64, 50, 64, 16, 16)] : []
for shape in headShapes {
    let (b, g, i, h, c) = shape
    print("\nforward + backward + AdamW step: batch \(b), \(g) heads, regressor \(i)→\(h) on a masked shared input, predictor \(h)→\(c)")
    HeadModelBenchmark(batch: b, heads: g, inputs: i, hidden: h, classes: c).run()
}
