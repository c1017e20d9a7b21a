/// Pointer-level affine kernels: the one implementation of `y = x·Wᵀ + b` and its gradients,
/// used by ``Linear`` and ``BlockLinear`` (and through them by every model).
///
/// Every matrix is row-major with an explicit leading dimension, so a block inside a wider packed
/// matrix (a head's rows of a weight matrix, a column's slice of an activation) is addressed in
/// place. `W` is `[outputs, inputs]` (PyTorch layout) with leading dimension `ldw`. Pointers are
/// optional only because empty Swift arrays have no base address; every kernel returns early on
/// an empty problem.
public enum DenseKernels {
    /// `y[r, o] = Σ_i x[r, i]·W[o, i] + b[o]` — one GEMM (without bias: `b = 0`).
    public static func affineForward(rows: Int, inputs: Int, outputs: Int,
                                     x: UnsafePointer<Float>?, ldx: Int,
                                     weight: UnsafePointer<Float>?, ldw: Int,
                                     bias: UnsafePointer<Float>?,
                                     y: UnsafeMutablePointer<Float>?, ldy: Int) {
        guard rows > 0, outputs > 0, let y else { return }
        if let bias {
            for r in 0..<rows { (y + r * ldy).update(from: bias, count: outputs) }
        } else {
            for r in 0..<rows { (y + r * ldy).update(repeating: 0, count: outputs) }
        }
        guard inputs > 0, let x, let weight else { return }
        MatMul.gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
                    a: x, lda: ldx, b: weight, ldb: ldw, beta: 1, c: y, ldc: ldy)
    }

    /// `dW [outputs, inputs] += dYᵀ·x` (one GEMM) and `db [outputs] += Σ_rows dY`.
    public static func affineBackwardParameters(rows: Int, inputs: Int, outputs: Int,
                                                x: UnsafePointer<Float>?, ldx: Int,
                                                dY: UnsafePointer<Float>?, lddY: Int,
                                                dWeight: UnsafeMutablePointer<Float>?, lddW: Int,
                                                dBias: UnsafeMutablePointer<Float>?) {
        guard rows > 0, outputs > 0, let dY else { return }
        if inputs > 0, let x, let dWeight {
            MatMul.gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows,
                        a: dY, lda: lddY, b: x, ldb: ldx, beta: 1, c: dWeight, ldc: lddW)
        }
        if let dBias { addColumnSums(rows: rows, columns: outputs, of: dY, ld: lddY, into: dBias) }
    }

    /// `dX [rows, inputs] = dY·W` — one GEMM; `accumulate` adds into `dX` instead of overwriting it.
    public static func affineBackwardInput(rows: Int, inputs: Int, outputs: Int,
                                           dY: UnsafePointer<Float>?, lddY: Int,
                                           weight: UnsafePointer<Float>?, ldw: Int,
                                           dX: UnsafeMutablePointer<Float>?, lddX: Int, accumulate: Bool = false) {
        guard rows > 0, inputs > 0, let dX else { return }
        guard outputs > 0, let dY, let weight else {
            if !accumulate { for r in 0..<rows { (dX + r * lddX).update(repeating: 0, count: inputs) } }
            return
        }
        MatMul.gemm(transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs,
                    a: dY, lda: lddY, b: weight, ldb: ldw, beta: accumulate ? 1 : 0, c: dX, ldc: lddX)
    }

    /// `sums[c] += Σ_r m[r, c]` (rows in order: deterministic).
    public static func addColumnSums(rows: Int, columns: Int, of m: UnsafePointer<Float>, ld: Int, into sums: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = m + r * ld
            for c in 0..<columns { sums[c] += row[c] }
        }
    }
}
