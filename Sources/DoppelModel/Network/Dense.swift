import DoppelNN

/// Affine products on raw row-major blocks (leading dimensions address sub-blocks in place),
/// written with `MatMul.gemm`. `W` is `[outputs, inputs]` (PyTorch layout).
enum Dense {
    /// `y[rows, outputs] = x·Wᵀ + b`.
    static func forward(rows: Int, inputs: Int, outputs: Int,
                        x: UnsafePointer<Float>, ldx: Int, weight: UnsafePointer<Float>, ldw: Int,
                        bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, ldy: Int) {
        guard rows > 0, outputs > 0 else { return }
        for r in 0..<rows { (y + r * ldy).update(from: bias, count: outputs) }
        MatMul.gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs,
                    a: x, lda: ldx, b: weight, ldb: ldw, beta: 1, c: y, ldc: ldy)
    }

    /// `dW += dYᵀ·x`, `db += Σ_rows dY`.
    static func backwardParameters(rows: Int, inputs: Int, outputs: Int,
                                   x: UnsafePointer<Float>, ldx: Int, dY: UnsafePointer<Float>, lddY: Int,
                                   dWeight: UnsafeMutablePointer<Float>, lddW: Int, dBias: UnsafeMutablePointer<Float>) {
        guard rows > 0, outputs > 0 else { return }
        MatMul.gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows,
                    a: dY, lda: lddY, b: x, ldb: ldx, beta: 1, c: dWeight, ldc: lddW)
        for r in 0..<rows {
            let row = dY + r * lddY
            for o in 0..<outputs { dBias[o] += row[o] }
        }
    }

    /// `dX = dY·W` (β = 0 overwrites, β = 1 accumulates).
    static func backwardInput(rows: Int, inputs: Int, outputs: Int, dY: UnsafePointer<Float>, lddY: Int,
                              weight: UnsafePointer<Float>, ldw: Int, beta: Float,
                              dX: UnsafeMutablePointer<Float>, lddX: Int) {
        guard rows > 0, inputs > 0 else { return }
        MatMul.gemm(transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs,
                    a: dY, lda: lddY, b: weight, ldb: ldw, beta: beta, c: dX, ldc: lddX)
    }
}
