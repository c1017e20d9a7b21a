import DoppelNN
import DoppelParallel

/// What a model adds to the flat network's pass when it conditions the column heads on more than
/// the row's own columns (the sequential model: its context and history vectors per event row).
struct PassConditioning {
    /// `[rows, K]` with `K = conditionWidth`: the first `K` inputs of every column's first layer.
    let input: UnsafePointer<Float>
    /// `[rows, K]`: the gradient of ``input`` is ADDED here (backward passes only).
    let inputGradient: UnsafeMutablePointer<Float>?
    /// `[rows, S]` loss weights (0 leaves a row's sub-column out of the loss), or `nil` for all 1.
    let lossWeights: UnsafePointer<Float>?
}

/// What an evaluation pass hands out besides the per-sub-column losses (scoring and prediction).
struct PassCapture {
    /// `[rows]`: each row's cross-entropy summed over the sub-columns is ADDED here.
    var rowLosses: UnsafeMutablePointer<Double>?
    /// A sub-column whose softmax probabilities are written to ``probabilities`` (`[rows, cardinality]`).
    var probabilitiesOf: Int?
    var probabilities: UnsafeMutablePointer<Float>?
    /// `[rows]` (backward passes): each row's squared L2 norm of its own gradient of every
    /// parameter is ADDED here (DP-SGD's per-sample clipping; see ``SampleNorms``).
    var sampleNormsSquared: UnsafeMutablePointer<Double>?
}

/// Per-sample gradient norms without per-sample gradients (the "ghost" norms of Goodfellow,
/// "Efficient Per-Example Gradient Computations", 2015): a dense layer `y = W·x + b` used once
/// per sample has the per-sample gradients `δ·xᵀ` and `δ`, whose squared norm is
/// `‖δ‖²·(‖x‖² + 1)`; an embedding row looked up once per sample has gradient `δ`. Summed over
/// the layers, that is the squared norm of the sample's whole gradient. A block layer's head `k`
/// only owns the inputs `inputRanges[k]` (its other weights are structural zeros whose gradients
/// are zeroed), so its term uses `x` restricted to that range: the norm of the gradient that
/// is applied, exactly.
enum SampleNorms {
    /// Adds, per row, the squared norm of `layer`'s per-sample weight and bias gradients.
    static func addBlockLinear(_ layer: BlockLinear, rows: Int, x: UnsafePointer<Float>, dY: UnsafePointer<Float>,
                               into sums: UnsafeMutablePointer<Double>) {
        for r in 0..<rows {
            var total = 0.0
            for k in layer.outputWidths.indices {
                let o = layer.outputOffsets[k], range = layer.inputRanges[k]
                let dy = squaredNorm(dY + r * layer.outputs + o, layer.outputWidths[k])
                total += dy * (squaredNorm(x + r * layer.inputs + range.lowerBound, range.count) + 1)
            }
            sums[r] += total
        }
    }

    /// The same for a plain dense layer reading `x` rows `ldx` apart and `dY` rows `lddY` apart.
    static func addLinear(_ layer: Linear, rows: Int, x: UnsafePointer<Float>, ldx: Int, dY: UnsafePointer<Float>, lddY: Int,
                          into sums: UnsafeMutablePointer<Double>) {
        let bias: Double = layer.bias == nil ? 0 : 1
        for r in 0..<rows {
            sums[r] += squaredNorm(dY + r * lddY, layer.outputs) * (squaredNorm(x + r * ldx, layer.inputs) + bias)
        }
    }

    static func squaredNorm(_ v: UnsafePointer<Float>, _ n: Int) -> Double { VectorMath.sumOfSquares(v, count: n) }
}

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
    /// `conditioning` (required when ``conditionWidth`` > 0) supplies the condition inputs and the
    /// loss weights.
    func pass(values: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>?,
              codes: UnsafePointer<Int32>, ranks: UnsafePointer<Int32>, rows: Int,
              dropout: inout Dropout, divisor: Float, conditioning: PassConditioning? = nil,
              capture: PassCapture? = nil) throws(NNError) -> [Double] {
        let S = subColumnCount, C = columnCount, Ew = embeddingWidth, Cw = contextWidth, K = conditionWidth
        precondition(K == 0 || conditioning != nil, "a conditioned network needs its condition inputs")
        var losses = [Double](repeating: 0, count: S)
        guard rows > 0 else { return losses }

        // Sub-column embeddings E [rows, Ew].
        let E = FloatBuffer(count: rows * Ew, zeroed: false)
        try embeddings.forward(codes: codes, rows: rows, values: values, y: E.pointer, ldy: Ew)
        // Column embeddings CE [rows, Cw].
        let CE = FloatBuffer(count: rows * Cw, zeroed: false)
        for c in 0..<C {
            if let compressor = compressors[c] {
                compressor.forward(rows: rows, x: E.pointer + ownOffsets[c], ldx: Ew, values: values,
                                   y: CE.pointer + contextOffsets[c], ldy: Cw)
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
            // X_c = [condition | CE ⊙ precedes | E_c] ⊙ dropout; `multiplier` keeps both masks for backward.
            let X = FloatBuffer(count: rows * inW, zeroed: false)
            let multiplier = FloatBuffer(count: rows * inW, zeroed: false)
            for r in 0..<rows {
                let own = ranks[r * C + c]
                var x = X.pointer + r * inW, m = multiplier.pointer + r * inW
                if let conditioning, K > 0 {
                    dropout.fillMask(m, count: K)
                    VectorMath.product(conditioning.input + r * K, m, into: x, count: K)
                    x += K
                    m += K
                }
                for c2 in 0..<C {
                    let base = contextOffsets[c2], width = contextWidths[c2]
                    if ranks[r * C + c2] < own {
                        dropout.fillMask(m + base, count: width)
                    } else {
                        (m + base).update(repeating: 0, count: width)
                    }
                }
                dropout.fillMask(m + Cw, count: ownWidths[c])
                VectorMath.product(CE.pointer + r * Cw, m, into: x, count: Cw)
                VectorMath.product(E.pointer + r * Ew + ownOffsets[c], m + Cw, into: x + Cw, count: ownWidths[c])
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
                        dropout.fillMask(m.pointer, count: rows * layer.inputs)
                        VectorMath.product(previous.pointer, m.pointer, into: dropped.pointer, count: rows * layer.inputs)
                        mask = m
                    } else {
                        dropped.pointer.update(from: previous.pointer, count: rows * layer.inputs)
                    }
                    inputs.append(dropped)
                    multipliers.append(mask)
                }
                let Y = FloatBuffer(count: rows * layer.outputs, zeroed: false)
                layer.forward(rows: rows, x: inputs[l].pointer, values: values, y: Y.pointer)
                ReLU.forward(Y.pointer, count: rows * layer.outputs)
                outputs.append(Y)
            }
            let predictor = net.predictor
            let hidden = outputs.last ?? X
            var logits = Tensor(shape: [rows, predictor.outputs])
            logits.storage.withUnsafeMutableBufferPointer { y in
                predictor.forward(rows: rows, x: hidden.pointer, values: values, y: y.baseAddress!)
            }
            var dLogits = Tensor(shape: gradients == nil ? [0, predictor.outputs] : [rows, predictor.outputs])
            for k in 0..<net.subColumnCount {
                let j = net.firstSubColumn + k
                let targets = (0..<rows).map { codes[$0 * S + j] }
                let weights = conditioning?.lossWeights.map { w in (0..<rows).map { w[$0 * S + j] } }
                let columns = predictor.outputOffsets[k] ..< predictor.outputOffsets[k] + predictor.outputWidths[k]
                if gradients != nil {
                    losses[j] = Double(try SoftmaxCrossEntropy.lossAndGradient(
                        logits: logits, columns: columns, targets: targets, weights: weights, reduction: .divide(by: divisor),
                        accumulatingInto: &dLogits))
                } else {
                    let rowLosses = try SoftmaxCrossEntropy.rowLosses(logits: logits, columns: columns, targets: targets)
                    let total = weights.map { w in zip(rowLosses, w).reduce(0.0) { $0 + $1.0 * Double($1.1) } } ?? rowLosses.reduce(0, +)
                    losses[j] = total / Double(divisor)
                    if let sums = capture?.rowLosses { for r in 0..<rows { sums[r] += rowLosses[r] } }
                    if capture?.probabilitiesOf == j, let out = capture?.probabilities {
                        let p = SoftmaxCrossEntropy.probabilities(logits: logits, columns: columns)
                        p.storage.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: rows * columns.count) }
                    }
                }
            }
            guard let G = gradients, let dCE, let dE else { continue }

            // Backward through the predictor and the regressor layers.
            var dA = FloatBuffer(count: rows * predictor.inputs, zeroed: false)
            dLogits.storage.withUnsafeBufferPointer { dy in
                predictor.backward(rows: rows, x: hidden.pointer, dY: dy.baseAddress!, values: values, gradients: G, dX: dA.pointer)
                if let norms = capture?.sampleNormsSquared {
                    SampleNorms.addBlockLinear(predictor, rows: rows, x: hidden.pointer, dY: dy.baseAddress!, into: norms)
                }
            }
            for l in net.regressor.indices.reversed() {
                let layer = net.regressor[l]
                let Y = outputs[l]
                ReLU.backward(output: Y.pointer, gradient: dA.pointer, count: rows * layer.outputs)
                if let norms = capture?.sampleNormsSquared {
                    SampleNorms.addBlockLinear(layer, rows: rows, x: inputs[l].pointer, dY: dA.pointer, into: norms)
                }
                let dIn = FloatBuffer(count: rows * layer.inputs, zeroed: false)
                layer.backward(rows: rows, x: inputs[l].pointer, dY: dA.pointer, values: values, gradients: G, dX: dIn.pointer)
                if let m = multipliers[l] { VectorMath.multiply(dIn.pointer, by: m.pointer, count: rows * layer.inputs) }
                dA = dIn
            }
            // dA is d(source of X_c): masked columns got multiplier 0, so the whole context part adds.
            for r in 0..<rows {
                var src = dA.pointer + r * inW
                if K > 0, let dCondition = conditioning?.inputGradient {
                    VectorMath.add(dCondition + r * K, src, count: K)
                }
                src += K
                VectorMath.add(dCE.pointer + r * Cw, src, count: Cw)
                VectorMath.add(dE.pointer + r * Ew + ownOffsets[c], src + Cw, count: ownWidths[c])
            }
        }
        guard let G = gradients, let dCE, let dE else { return losses }

        // Column embeddings back to the sub-column embeddings, then into the tables.
        for c in 0..<C {
            if let compressor = compressors[c] {
                if let norms = capture?.sampleNormsSquared {
                    SampleNorms.addLinear(compressor, rows: rows, x: E.pointer + ownOffsets[c], ldx: Ew,
                                          dY: dCE.pointer + contextOffsets[c], lddY: Cw, into: norms)
                }
                compressor.backward(rows: rows, x: E.pointer + ownOffsets[c], ldx: Ew, dY: dCE.pointer + contextOffsets[c], lddY: Cw,
                                    values: values, gradients: G, dX: dE.pointer + ownOffsets[c], lddX: Ew, accumulateInput: true)
            } else {
                for r in 0..<rows {
                    VectorMath.add(dE.pointer + r * Ew + ownOffsets[c], dCE.pointer + r * Cw + contextOffsets[c], count: ownWidths[c])
                }
            }
        }
        embeddings.backward(codes: codes, rows: rows, dY: dE.pointer, lddY: Ew, gradients: G)
        if let norms = capture?.sampleNormsSquared {
            // One row of each sub-column's table per sample: its gradient is the sample's dE block.
            for r in 0..<rows { norms[r] += SampleNorms.squaredNorm(dE.pointer + r * Ew, Ew) }
        }
        return losses
    }
}
