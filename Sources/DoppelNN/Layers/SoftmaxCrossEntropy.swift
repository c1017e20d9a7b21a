/// Softmax followed by the negative log-likelihood of integer targets, computed stably with the
/// log-sum-exp trick: `loss_r = log Σ_j exp(z_rj − m_r) + m_r − z_r,t_r`, `m_r = max_j z_rj`.
///
/// Shapes: `logits [B, W]`; one head may use only the columns `columns` of a wider matrix (heads
/// packed side by side by ``BlockLinear``), so its `C = columns.count` classes are
/// `logits[:, columns]`; `targets [B]` in `0..<C`; optional per-row `weights [B]` (0 masks a row).
/// The reduced loss is `Σ_r w_r·loss_r / D` with `D` from ``Reduction``, and its gradient
/// `dL/dz_rj = w_r/D · (softmax(z_r)_j − [j = t_r])`.
public enum SoftmaxCrossEntropy {
    /// The divisor `D` of the summed, weighted row losses.
    public enum Reduction: Sendable, Hashable {
        /// `D = B` (PyTorch's default `reduction="mean"` without weights).
        case mean
        /// `D = 1`.
        case sum
        /// `D = Σ_r w_r` (PyTorch's weighted mean; a masked mean with 0/1 weights).
        case weightedMean
        /// A caller-chosen `D` (e.g. the mask count of the whole batch).
        case divide(by: Float)
    }

    /// Loss of one head, with its gradient ADDED into the matching columns of `gradient`
    /// (same shape as `logits`), so several heads packed in one logits matrix share one gradient.
    /// - Throws: ``NNError/codeOutOfRange(layer:row:code:cardinality:)`` for a bad target.
    public static func lossAndGradient(logits: Tensor, columns: Range<Int>? = nil, targets: [Int32],
                                       weights: [Float]? = nil, reduction: Reduction = .mean,
                                       accumulatingInto gradient: inout Tensor) throws(NNError) -> Float {
        precondition(gradient.shape == logits.shape, "gradient \(gradient.shape) must match logits \(logits.shape)")
        let (rows, width, range) = try check(logits: logits, columns: columns, targets: targets, weights: weights)
        let divisor: Double
        switch reduction {
        case .mean: divisor = Double(rows)
        case .sum: divisor = 1
        case .weightedMean: divisor = weights.map { $0.reduce(0.0) { $0 + Double($1) } } ?? Double(rows)
        case .divide(let d): divisor = Double(d)
        }
        guard rows > 0, divisor != 0 else { return 0 }
        var total = 0.0
        var probabilities = [Float](repeating: 0, count: range.count)
        logits.storage.withUnsafeBufferPointer { z in
            gradient.storage.withUnsafeMutableBufferPointer { dz in
                for r in 0..<rows {
                    let w = weights.map { Double($0[r]) } ?? 1
                    if w == 0 { continue }
                    let row = r * width + range.lowerBound
                    let logSumExp = softmaxRow(z, start: row, count: range.count, into: &probabilities)
                    let t = Int(targets[r])
                    total += w * (logSumExp - Double(z[row + t]))
                    let scale = Float(w / divisor)
                    for j in 0..<range.count { dz[row + j] += scale * probabilities[j] }
                    dz[row + t] -= scale
                }
            }
        }
        return Float(total / divisor)
    }

    /// Convenience: loss and a fresh `dLogits` for a whole logits matrix.
    public static func forwardBackward(logits: Tensor, targets: [Int32], weights: [Float]? = nil,
                                       reduction: Reduction = .mean) throws(NNError) -> (loss: Float, dLogits: Tensor) {
        var gradient = Tensor(shape: logits.shape)
        let loss = try lossAndGradient(logits: logits, targets: targets, weights: weights, reduction: reduction,
                                       accumulatingInto: &gradient)
        return (loss, gradient)
    }

    /// Unreduced, unweighted row losses `−log softmax(z_r)[t_r]` (Float64), e.g. for log-likelihoods.
    public static func rowLosses(logits: Tensor, columns: Range<Int>? = nil, targets: [Int32]) throws(NNError) -> [Double] {
        let (rows, width, range) = try check(logits: logits, columns: columns, targets: targets, weights: nil)
        var losses = [Double](repeating: 0, count: rows)
        var probabilities = [Float](repeating: 0, count: range.count)
        logits.storage.withUnsafeBufferPointer { z in
            for r in 0..<rows {
                let row = r * width + range.lowerBound
                let logSumExp = softmaxRow(z, start: row, count: range.count, into: &probabilities)
                losses[r] = logSumExp - Double(z[row + Int(targets[r])])
            }
        }
        return losses
    }

    /// Row-wise `softmax(z / temperature)` of `logits[:, columns]`: `[B, C]`.
    public static func probabilities(logits: Tensor, columns: Range<Int>? = nil, temperature: Float = 1) -> Tensor {
        precondition(temperature > 0, "temperature must be positive")
        let width = logits.columns
        let range = columns ?? 0..<width
        precondition(range.lowerBound >= 0 && range.upperBound <= width, "columns \(range) outside 0..<\(width)")
        var result = Tensor.zeros(logits.rows, range.count)
        var scaled = [Float](repeating: 0, count: range.count)
        var row = [Float](repeating: 0, count: range.count)
        for r in 0..<logits.rows {
            for j in 0..<range.count { scaled[j] = logits.storage[r * width + range.lowerBound + j] / temperature }
            scaled.withUnsafeBufferPointer { _ = softmaxRow($0, start: 0, count: range.count, into: &row) }
            for j in 0..<range.count { result.storage[r * range.count + j] = row[j] }
        }
        return result
    }

    /// Writes `softmax(z[start ..< start+count])` into `p` and returns the log-sum-exp (Float64).
    private static func softmaxRow(_ z: UnsafeBufferPointer<Float>, start: Int, count: Int, into p: inout [Float]) -> Double {
        guard let base = z.baseAddress else { return 0 }
        let row = base + start
        let m = VectorMath.maximum(row, count: count)
        return p.withUnsafeMutableBufferPointer { out in
            guard let o = out.baseAddress else { return 0 }
            let sum = VectorMath.shiftedExp(row, count: count, shift: m, into: o)
            let inverse = 1 / sum
            for j in 0..<count { o[j] *= inverse }
            return Double(m) + Double(Math.log(sum))  // the sum is in [1, C]: Float log is exact enough
        }
    }

    private static func check(logits: Tensor, columns: Range<Int>?, targets: [Int32],
                              weights: [Float]?) throws(NNError) -> (rows: Int, width: Int, range: Range<Int>) {
        let width = logits.columns
        let range = columns ?? 0..<width
        precondition(range.lowerBound >= 0 && range.upperBound <= width && !range.isEmpty,
                     "columns \(range) outside 0..<\(width)")
        precondition(targets.count == logits.rows, "\(targets.count) targets for \(logits.rows) rows")
        precondition(weights == nil || weights!.count == logits.rows, "weights must have one entry per row")
        for (r, t) in targets.enumerated() where t < 0 || Int(t) >= range.count {
            if let weights, weights[r] == 0 { continue }  // masked rows may carry any code
            throw .codeOutOfRange(layer: "SoftmaxCrossEntropy", row: r, code: t, cardinality: range.count)
        }
        return (logits.rows, width, range)
    }
}
