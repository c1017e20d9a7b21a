/// Pointer-level affine kernels shared by ``Linear`` and ``GroupedLinear``.
///
/// Every matrix is row-major with an explicit leading dimension, so a head's block inside a wider
/// packed matrix is addressed in place. Pointers are optional only because empty Swift arrays
/// have no base address; every kernel returns early on an empty problem.
enum DenseKernels {
    /// `y[r, o] = Σ_i x[r, i]·W[o, i] + b[o]` for `W [outputs, inputs]` (contiguous) — one GEMM.
    static func affineForward(rows: Int, inputs: Int, outputs: Int,
                              x: UnsafePointer<Float>?, ldx: Int,
                              weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                              y: UnsafeMutablePointer<Float>?, ldy: Int) {
        guard rows > 0, outputs > 0, let y else { return }
        if let bias {
            for r in 0..<rows { (y + r * ldy).update(from: bias, count: outputs) }
        } else {
            for r in 0..<rows { (y + r * ldy).update(repeating: 0, count: outputs) }
        }
        guard inputs > 0, let x, let weight else { return }
        MatMul.gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
                    a: x, lda: ldx, b: weight, ldb: inputs, beta: 1, c: y, ldc: ldy)
    }

    /// `dW [outputs, inputs] += dYᵀ·x` (one GEMM) and `db [outputs] += Σ_rows dY`.
    static func affineBackwardParameters(rows: Int, inputs: Int, outputs: Int,
                                         x: UnsafePointer<Float>?, ldx: Int,
                                         dY: UnsafePointer<Float>?, lddY: Int,
                                         dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?) {
        guard rows > 0, outputs > 0, let dY else { return }
        if inputs > 0, let x, let dWeight {
            MatMul.gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows,
                        a: dY, lda: lddY, b: x, ldb: ldx, beta: 1, c: dWeight, ldc: inputs)
        }
        if let dBias { addColumnSums(rows: rows, columns: outputs, of: dY, ld: lddY, into: dBias) }
    }

    /// `dX [rows, inputs] = dY·W` (overwrites dX) — one GEMM.
    static func affineBackwardInput(rows: Int, inputs: Int, outputs: Int,
                                    dY: UnsafePointer<Float>?, lddY: Int,
                                    weight: UnsafePointer<Float>?,
                                    dX: UnsafeMutablePointer<Float>?, lddX: Int) {
        guard rows > 0, inputs > 0, let dX else { return }
        guard outputs > 0, let dY, let weight else {
            for r in 0..<rows { (dX + r * lddX).update(repeating: 0, count: inputs) }
            return
        }
        MatMul.gemm(transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs,
                    a: dY, lda: lddY, b: weight, ldb: inputs, beta: 0, c: dX, ldc: lddX)
    }

    /// `sums[c] += Σ_r m[r, c]`.
    static func addColumnSums(rows: Int, columns: Int, of m: UnsafePointer<Float>, ld: Int, into sums: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = m + r * ld
            for c in 0..<columns { sums[c] += row[c] }
        }
    }
}
