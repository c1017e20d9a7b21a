import DoppelNN
import DoppelParallel

extension FlatNetwork {
    /// One teacher-forced pass over `rows` rows (codes row-major `[rows, S]`, column ranks
    /// `[rows, C]`): returns, per sub-column, the summed cross-entropy of the rows divided by
    /// `divisor`. With `gradients` it also runs the backward pass and ADDS the gradients there
    /// (shards of one batch use the full batch size as divisor, so their sums add up to the
    /// batch-mean gradient). With a dropout stream the pass is in training mode.
    ///
    /// Each column is run forward and backward before the next, so only one column's
    /// activations are alive at a time; the column and sub-column embeddings' gradients are
    /// collected in `dCE`/`dE` and pushed through the compressors and embedding tables at the end.
    func pass(values: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>?,
              codes: UnsafePointer<Int32>, ranks: UnsafePointer<Int32>, rows: Int,
              dropout: inout DropoutStream, divisor: Float) throws(NNError) -> [Double] {
        let S = subColumnCount, C = columnCount, Ew = embeddingWidth, Cw = contextWidth
        var losses = [Double](repeating: 0, count: S)
        guard rows > 0 else { return losses }

        // Sub-column embeddings E [rows, Ew].
        let E = FloatBuffer(count: rows * Ew, zeroed: false)
        for r in 0..<rows {
            for j in 0..<S {
                let code = Int(codes[r * S + j])
                guard code >= 0, code < cardinalities[j] else {
                    throw .codeOutOfRange(layer: "embedding \(j)", row: r, code: Int32(code), cardinality: cardinalities[j])
                }
                let d = embeddingDimensions[j]
                (E.pointer + r * Ew + embeddingOffsets[j]).update(from: values + embeddings[j].offset + code * d, count: d)
            }
        }
        // Column embeddings CE [rows, Cw].
        let CE = FloatBuffer(count: rows * Cw, zeroed: false)
        for c in 0..<C {
            if let compressor = compressors[c] {
                Dense.forward(rows: rows, inputs: ownWidths[c], outputs: contextWidths[c],
                              x: E.pointer + ownOffsets[c], ldx: Ew, weight: values + compressor.weight.offset, ldw: ownWidths[c],
                              bias: values + compressor.bias.offset, y: CE.pointer + contextOffsets[c], ldy: Cw)
            } else {
                for r in 0..<rows {
                    (CE.pointer + r * Cw + contextOffsets[c]).update(from: E.pointer + r * Ew + ownOffsets[c], count: ownWidths[c])
                }
            }
        }
        let dCE = gradients == nil ? nil : FloatBuffer(count: rows * Cw)
        let dE = gradients == nil ? nil : FloatBuffer(count: rows * Ew)

        for c in 0..<C {
            let net = columns[c]
            let inW = net.inputWidth
            // X_c = [CE ⊙ precedes | E_c] ⊙ dropout; `multiplier` keeps both masks for backward.
            let X = FloatBuffer(count: rows * inW, zeroed: false)
            let multiplier = FloatBuffer(count: rows * inW, zeroed: false)
            for r in 0..<rows {
                let own = ranks[r * C + c]
                let x = X.pointer + r * inW, m = multiplier.pointer + r * inW
                for c2 in 0..<C {
                    let on = ranks[r * C + c2] < own
                    let base = contextOffsets[c2], src = CE.pointer + r * Cw + base
                    for i in 0..<contextWidths[c2] {
                        let f: Float = on ? dropout.next() : 0
                        m[base + i] = f
                        x[base + i] = src[i] * f
                    }
                }
                let src = E.pointer + r * Ew + ownOffsets[c]
                for i in 0..<ownWidths[c] {
                    let f = dropout.next()
                    m[Cw + i] = f
                    x[Cw + i] = src[i] * f
                }
            }
            var inputs: [FloatBuffer] = [X]
            var multipliers: [FloatBuffer?] = [multiplier]
            var outputs: [FloatBuffer] = []
            for (l, layer) in net.regressor.enumerated() {
                if l > 0 {
                    let previous = outputs[l - 1]
                    let dropped = FloatBuffer(count: rows * layer.inputs, zeroed: false)
                    var mask: FloatBuffer? = nil
                    if dropout.isActive {
                        let m = FloatBuffer(count: rows * layer.inputs, zeroed: false)
                        for i in 0..<(rows * layer.inputs) {
                            m.pointer[i] = dropout.next()
                            dropped.pointer[i] = previous.pointer[i] * m.pointer[i]
                        }
                        mask = m
                    } else {
                        dropped.pointer.update(from: previous.pointer, count: rows * layer.inputs)
                    }
                    inputs.append(dropped)
                    multipliers.append(mask)
                }
                let Y = FloatBuffer(count: rows * layer.outputs, zeroed: false)
                Dense.forward(rows: rows, inputs: layer.inputs, outputs: layer.outputs, x: inputs[l].pointer, ldx: layer.inputs,
                              weight: values + layer.weight.offset, ldw: layer.inputs, bias: values + layer.bias.offset,
                              y: Y.pointer, ldy: layer.outputs)
                for i in 0..<(rows * layer.outputs) where Y.pointer[i] < 0 { Y.pointer[i] = 0 }
                outputs.append(Y)
            }
            let predictor = net.predictor
            let hidden = outputs.last ?? X
            var logits = Tensor(shape: [rows, predictor.outputs])
            logits.storage.withUnsafeMutableBufferPointer { y in
                Dense.forward(rows: rows, inputs: predictor.inputs, outputs: predictor.outputs, x: hidden.pointer, ldx: predictor.inputs,
                              weight: values + predictor.weight.offset, ldw: predictor.inputs, bias: values + predictor.bias.offset,
                              y: y.baseAddress!, ldy: predictor.outputs)
            }
            var dLogits = Tensor(shape: gradients == nil ? [0, predictor.outputs] : [rows, predictor.outputs])
            for k in 0..<net.subColumnCount {
                let j = net.firstSubColumn + k
                let targets = (0..<rows).map { codes[$0 * S + j] }
                let columns = predictor.outputOffsets[k] ..< predictor.outputOffsets[k] + predictor.outputWidths[k]
                if gradients != nil {
                    losses[j] = Double(try SoftmaxCrossEntropy.lossAndGradient(
                        logits: logits, columns: columns, targets: targets, reduction: .divide(by: divisor), accumulatingInto: &dLogits))
                } else {
                    let rowLosses = try SoftmaxCrossEntropy.rowLosses(logits: logits, columns: columns, targets: targets)
                    losses[j] = rowLosses.reduce(0, +) / Double(divisor)
                }
            }
            guard let G = gradients, let dCE, let dE else { continue }

            // Backward through the predictor and the regressor layers.
            var dA = FloatBuffer(count: rows * predictor.inputs, zeroed: false)
            dLogits.storage.withUnsafeBufferPointer { dy in
                Dense.backwardParameters(rows: rows, inputs: predictor.inputs, outputs: predictor.outputs,
                                         x: hidden.pointer, ldx: predictor.inputs, dY: dy.baseAddress!, lddY: predictor.outputs,
                                         dWeight: G + predictor.weight.offset, lddW: predictor.inputs, dBias: G + predictor.bias.offset)
                Dense.backwardInput(rows: rows, inputs: predictor.inputs, outputs: predictor.outputs, dY: dy.baseAddress!,
                                    lddY: predictor.outputs, weight: values + predictor.weight.offset, ldw: predictor.inputs,
                                    beta: 0, dX: dA.pointer, lddX: predictor.inputs)
            }
            for l in net.regressor.indices.reversed() {
                let layer = net.regressor[l]
                let Y = outputs[l]
                for i in 0..<(rows * layer.outputs) where Y.pointer[i] <= 0 { dA.pointer[i] = 0 }
                Dense.backwardParameters(rows: rows, inputs: layer.inputs, outputs: layer.outputs,
                                         x: inputs[l].pointer, ldx: layer.inputs, dY: dA.pointer, lddY: layer.outputs,
                                         dWeight: G + layer.weight.offset, lddW: layer.inputs, dBias: G + layer.bias.offset)
                let dIn = FloatBuffer(count: rows * layer.inputs, zeroed: false)
                Dense.backwardInput(rows: rows, inputs: layer.inputs, outputs: layer.outputs, dY: dA.pointer, lddY: layer.outputs,
                                    weight: values + layer.weight.offset, ldw: layer.inputs, beta: 0, dX: dIn.pointer, lddX: layer.inputs)
                if let m = multipliers[l] {
                    for i in 0..<(rows * layer.inputs) { dIn.pointer[i] *= m.pointer[i] }
                }
                dA = dIn
            }
            // dA is d(source of X_c): masked columns got multiplier 0, so the whole context part adds.
            for r in 0..<rows {
                let src = dA.pointer + r * inW
                let ctx = dCE.pointer + r * Cw
                for i in 0..<Cw { ctx[i] += src[i] }
                let own = dE.pointer + r * Ew + ownOffsets[c]
                for i in 0..<ownWidths[c] { own[i] += src[Cw + i] }
            }
        }
        guard let G = gradients, let dCE, let dE else { return losses }

        // Column embeddings back to the sub-column embeddings, then into the tables.
        for c in 0..<C {
            if let compressor = compressors[c] {
                Dense.backwardParameters(rows: rows, inputs: ownWidths[c], outputs: contextWidths[c],
                                         x: E.pointer + ownOffsets[c], ldx: Ew, dY: dCE.pointer + contextOffsets[c], lddY: Cw,
                                         dWeight: G + compressor.weight.offset, lddW: ownWidths[c], dBias: G + compressor.bias.offset)
                Dense.backwardInput(rows: rows, inputs: ownWidths[c], outputs: contextWidths[c], dY: dCE.pointer + contextOffsets[c],
                                    lddY: Cw, weight: values + compressor.weight.offset, ldw: ownWidths[c], beta: 1,
                                    dX: dE.pointer + ownOffsets[c], lddX: Ew)
            } else {
                for r in 0..<rows {
                    let src = dCE.pointer + r * Cw + contextOffsets[c], dst = dE.pointer + r * Ew + ownOffsets[c]
                    for i in 0..<ownWidths[c] { dst[i] += src[i] }
                }
            }
        }
        for r in 0..<rows {
            for j in 0..<S {
                let d = embeddingDimensions[j]
                let dst = G + embeddings[j].offset + Int(codes[r * S + j]) * d
                let src = dE.pointer + r * Ew + embeddingOffsets[j]
                for i in 0..<d { dst[i] += src[i] }
            }
        }
        return losses
    }
}
