import DoppelNN

/// sgemm GFLOP/s at MLP shapes, for the three products a Linear layer needs
/// (forward `x·Wᵀ`, weight gradient `dYᵀ·x`, input gradient `dY·W`).
func runSGEMMBenchmark() {
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
