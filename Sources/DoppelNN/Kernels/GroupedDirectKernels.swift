/// Direct loops for ``GroupedLinear`` with the per-head layout when each head is tiny
/// (e.g. 16 → 2): one pass over the rows serves all heads, no per-head BLAS calls. Dot products
/// and updates run on `SIMD8<Float>` (``VectorMath/dot(_:_:count:)``, ``VectorMath/axpy(_:_:into:count:)``).
enum GroupedDirectKernels {
    /// `y [B, G·O]`, `y[r, g, o] = b[g, o] + Σ_i x[r, g, i]·W[g, o, i]`, `x [B, G·I]`.
    static func forward(rows: Int, groups: Int, inputs: Int, outputs: Int,
                        x: UnsafePointer<Float>?, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                        y: UnsafeMutablePointer<Float>?) {
        guard rows > 0, outputs > 0, let y else { return }
        if outputs < 8 {
            // Few outputs (e.g. 16 → 2): one SIMD dot product per output.
            for r in 0..<rows {
                for g in 0..<groups {
                    let yRow = y + (r * groups + g) * outputs
                    for o in 0..<outputs {
                        var sum: Float = bias.map { $0[g * outputs + o] } ?? 0
                        if inputs > 0, let x, let weight {
                            sum += VectorMath.dot(x + (r * groups + g) * inputs, weight + (g * outputs + o) * inputs, count: inputs)
                        }
                        yRow[o] = sum
                    }
                }
            }
            return
        }
        // Wider outputs: weights transposed to [G, inputs, outputs] once per call, so each output
        // row is a sum of `inputs` SIMD axpys over contiguous outputs instead of `outputs`
        // horizontal dot products.
        var transposed = [Float](repeating: 0, count: groups * inputs * outputs)
        if let weight {
            for g in 0..<groups {
                for o in 0..<outputs {
                    for i in 0..<inputs { transposed[(g * inputs + i) * outputs + o] = weight[(g * outputs + o) * inputs + i] }
                }
            }
        }
        transposed.withUnsafeBufferPointer { wt in
            for r in 0..<rows {
                for g in 0..<groups {
                    let yRow = y + (r * groups + g) * outputs
                    if let bias { yRow.update(from: bias + g * outputs, count: outputs) } else { yRow.update(repeating: 0, count: outputs) }
                    guard inputs > 0, let x, weight != nil, let wBase = wt.baseAddress else { continue }
                    let xRow = x + (r * groups + g) * inputs
                    for i in 0..<inputs {
                        VectorMath.axpy(xRow[i], wBase + (g * inputs + i) * outputs, into: yRow, count: outputs)
                    }
                }
            }
        }
    }

    /// `dW[g, o, i] += Σ_r dY[r, g, o]·x[r, g, i]`, `db[g, o] += Σ_r dY[r, g, o]`.
    static func backwardParameters(rows: Int, groups: Int, inputs: Int, outputs: Int,
                                   x: UnsafePointer<Float>?, dY: UnsafePointer<Float>?,
                                   dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?) {
        guard rows > 0, outputs > 0, let dY else { return }
        for r in 0..<rows {
            for g in 0..<groups {
                let dyRow = dY + (r * groups + g) * outputs
                if let dBias { for o in 0..<outputs { dBias[g * outputs + o] += dyRow[o] } }
                guard inputs > 0, let x, let dWeight else { continue }
                let xRow = x + (r * groups + g) * inputs
                for o in 0..<outputs {
                    let d = dyRow[o]
                    let dwRow = dWeight + (g * outputs + o) * inputs
                    VectorMath.axpy(d, xRow, into: dwRow, count: inputs)
                }
            }
        }
    }

    /// `dX[r, g, i] = Σ_o dY[r, g, o]·W[g, o, i]` (overwrites dX).
    static func backwardInput(rows: Int, groups: Int, inputs: Int, outputs: Int,
                              dY: UnsafePointer<Float>?, weight: UnsafePointer<Float>?, dX: UnsafeMutablePointer<Float>?) {
        guard rows > 0, inputs > 0, let dX else { return }
        for r in 0..<rows {
            for g in 0..<groups {
                let dxRow = dX + (r * groups + g) * inputs
                dxRow.update(repeating: 0, count: inputs)
                guard outputs > 0, let dY, let weight else { continue }
                let dyRow = dY + (r * groups + g) * outputs
                for o in 0..<outputs {
                    let d = dyRow[o]
                    let wRow = weight + (g * outputs + o) * inputs
                    VectorMath.axpy(d, wRow, into: dxRow, count: inputs)
                }
            }
        }
    }
}
