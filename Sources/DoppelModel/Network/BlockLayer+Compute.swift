extension BlockLayer {
    /// Whether the layer is block-diagonal with several blocks (a regressor layer after the first,
    /// or the predictor, of a column with several sub-columns): then each block is its own GEMM
    /// on strided sub-blocks, in place, instead of one dense GEMM that would multiply the zero
    /// blocks too (n_c times the work for a column of n_c sub-columns).
    var isBlockDiagonal: Bool {
        guard outputWidths.count > 1, inputRanges.first?.lowerBound == 0, inputRanges.last?.upperBound == inputs else { return false }
        return zip(inputRanges, inputRanges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }
    }

    /// `y [rows, outputs] = x [rows, inputs]·Wᵀ + b`.
    func forward(rows: Int, x: UnsafePointer<Float>, values V: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        guard isBlockDiagonal else {
            Dense.forward(rows: rows, inputs: inputs, outputs: outputs, x: x, ldx: inputs, weight: V + weight.offset, ldw: inputs,
                          bias: V + bias.offset, y: y, ldy: outputs)
            return
        }
        for k in outputWidths.indices {
            let input = inputRanges[k], o = outputOffsets[k]
            Dense.forward(rows: rows, inputs: input.count, outputs: outputWidths[k], x: x + input.lowerBound, ldx: inputs,
                          weight: V + weight.offset + o * inputs + input.lowerBound, ldw: inputs,
                          bias: V + bias.offset + o, y: y + o, ldy: outputs)
        }
    }

    /// Adds `dW`, `db` into `G` and writes `dX = dY·W` (every element) into `dX`.
    func backward(rows: Int, x: UnsafePointer<Float>, dY: UnsafePointer<Float>, values V: UnsafePointer<Float>,
                  gradients G: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>) {
        guard isBlockDiagonal else {
            Dense.backwardParameters(rows: rows, inputs: inputs, outputs: outputs, x: x, ldx: inputs, dY: dY, lddY: outputs,
                                     dWeight: G + weight.offset, lddW: inputs, dBias: G + bias.offset)
            Dense.backwardInput(rows: rows, inputs: inputs, outputs: outputs, dY: dY, lddY: outputs, weight: V + weight.offset,
                                ldw: inputs, beta: 0, dX: dX, lddX: inputs)
            return
        }
        // The blocks' input ranges partition the input, so every element of dX is written once.
        for k in outputWidths.indices {
            let input = inputRanges[k], o = outputOffsets[k], w = outputWidths[k]
            Dense.backwardParameters(rows: rows, inputs: input.count, outputs: w, x: x + input.lowerBound, ldx: inputs,
                                     dY: dY + o, lddY: outputs, dWeight: G + weight.offset + o * inputs + input.lowerBound,
                                     lddW: inputs, dBias: G + bias.offset + o)
            Dense.backwardInput(rows: rows, inputs: input.count, outputs: w, dY: dY + o, lddY: outputs,
                                weight: V + weight.offset + o * inputs + input.lowerBound, ldw: inputs, beta: 0,
                                dX: dX + input.lowerBound, lddX: inputs)
        }
    }
}
