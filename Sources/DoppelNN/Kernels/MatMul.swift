import CBLAS

/// Row-major matrix products: `cblas_sgemm` (OpenBLAS) and a naive reference kernel with the
/// same contract, used by the tests to check every transpose variant.
///
/// Both compute `C = α·op(A)·op(B) + β·C` where `op(A)` is `M×K`, `op(B)` is `K×N` and `C` is
/// `M×N`. `op(X)` is `X` or `Xᵀ`; the leading dimension of a matrix is the distance between two
/// of its consecutive STORED rows (so a transposed `A` is stored `K×M` with `lda ≥ M`). Leading
/// dimensions larger than the row length address sub-blocks of wider matrices without copies.
public enum MatMul {
    /// `C = α·op(A)·op(B) + β·C` through `cblas_sgemm`.
    /// - Precondition: `m, n, k ≥ 0` and every leading dimension covers its stored row.
    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        checkShapes(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        if m == 0 || n == 0 { return }
        if k == 0 { scale(c, rows: m, columns: n, ldc: ldc, by: beta); return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The reference kernel for ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``:
    /// three plain loops with Float64 accumulation. Slow; for tests only.
    public static func naiveGemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                 alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                                 b: UnsafePointer<Float>, ldb: Int,
                                 beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        checkShapes(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aValue = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(aValue) * Double(bValue)
                }
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + old)
            }
        }
    }

    /// `op(A)·op(B)` for 2-D tensors (`op(A)` is `M×K`, `op(B)` is `K×N`); result `[M, N]`.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        product(a, b, transposeA: transposeA, transposeB: transposeB, kernel: gemm)
    }

    /// ``matmul(_:_:transposeA:transposeB:)`` through the naive reference kernel.
    public static func naiveMatmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        product(a, b, transposeA: transposeA, transposeB: transposeB, kernel: naiveGemm)
    }

    private typealias Kernel = (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int,
                                UnsafePointer<Float>, Int, Float, UnsafeMutablePointer<Float>, Int) -> Void

    private static func product(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool, kernel: Kernel) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs matrices, got \(a.shape) and \(b.shape)")
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(k == k2, "inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        var c = Tensor.zeros(m, n)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    guard let ap = pa.baseAddress, let bp = pb.baseAddress, let cp = pc.baseAddress else { return }
                    kernel(transposeA, transposeB, m, n, k, 1, ap, max(1, a.shape[1]), bp, max(1, b.shape[1]), 0, cp, max(1, n))
                }
            }
        }
        return c
    }

    private static func checkShapes(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size \(m)×\(n)×\(k)")
        precondition(lda >= max(1, transposeA ? m : k), "lda \(lda) too small")
        precondition(ldb >= max(1, transposeB ? k : n), "ldb \(ldb) too small")
        precondition(ldc >= max(1, n), "ldc \(ldc) too small")
    }

    private static func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ldc: Int, by beta: Float) {
        for i in 0..<rows {
            for j in 0..<columns { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
        }
    }
}
