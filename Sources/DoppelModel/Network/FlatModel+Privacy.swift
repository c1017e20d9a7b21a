import DoppelNN
import DoppelParallel

/// DP-SGD's gradient (Abadi et al. 2016) for a flat model: per-sample clipping by two passes
/// per shard (the first only measures each row's gradient norm, ``SampleNorms``; the second
/// weighs each row's loss by `min(1, C / norm)`, so its gradient is the clipped one), then one
/// Gaussian noise draw per parameter.
extension FlatModel {
    /// Each row's L2 norm of the gradient of its own loss (all parameters; structural zeros
    /// excluded), in evaluation mode: what DP-SGD clips.
    func sampleGradientNorms(batch: EncodedData, orders: ColumnOrders) throws(ModelError) -> [Double] {
        var norms = [Double](repeating: 0, count: batch.rowCount)
        var scratch = [Float](repeating: 0, count: store.count)
        var dropout = Dropout.evaluation
        try ModelError.mapping { () throws in
            try store.values.withUnsafeBufferPointer { v throws in
                try batch.codes.withUnsafeBufferPointer { c throws in
                    try orders.ranks.withUnsafeBufferPointer { r throws in
                        try scratch.withUnsafeMutableBufferPointer { g throws in
                            try norms.withUnsafeMutableBufferPointer { n throws in
                                _ = try network.pass(values: v.baseAddress!, gradients: g.baseAddress!, codes: c.baseAddress!,
                                                     ranks: r.baseAddress!, rows: batch.rowCount, dropout: &dropout, divisor: 1,
                                                     capture: PassCapture(sampleNormsSquared: n.baseAddress!))
                            }
                        }
                    }
                }
            }
        }
        return norms.map { $0.squareRoot() }
    }

    /// OVERWRITES `store.gradients` with `(Σ_rows clip(g_row) + N(0, (σC)²)) / expected`, where
    /// `clip(g) = g · min(1, C / ‖g‖)`; shards as in ``shardedGradients``, noise from `noiseSeed`.
    /// Returns the rows' mean loss per sub-column (unweighted).
    mutating func privateGradients(codes: [Int32], ranks: [Int32], rows: Int, privacy: DPSGD, expectedRows: Double,
                                   shards: Int, workers: Int, group: any ProcessGroup = SingleProcess(), seed: UInt64, path: [UInt64], noiseSeed: UInt64,
                                   scratch: ShardScratch) throws(ModelError) -> [Double] {
        let S = network.subColumnCount, C = network.columnCount
        var losses = [Double](repeating: 0, count: S)
        if rows > 0 {
            let count = max(1, min(shards, rows))
            let network = network, dropoutRate = architecture.dropout, clip = privacy.maxGradNorm, parameterCount = store.count
            losses = try ShardedGradients.run(store: &store, shards: count, workers: workers, group: group, scratch: scratch, lossCount: S) { shard, values, target in
                let lo = rows * shard / count, hi = rows * (shard + 1) / count, n = hi - lo
                return codes.withUnsafeBufferPointer { c in
                    ranks.withUnsafeBufferPointer { r in
                        Result { () throws(NNError) -> [Double] in
                            // Pass 1: each row's gradient norm (the same dropout masks as pass 2).
                            var norms = [Double](repeating: 0, count: n)
                            var dropout = Dropout(probability: dropoutRate, random: SeededRandom.stream(seed: seed, path + [UInt64(shard)]))
                            let plain = try norms.withUnsafeMutableBufferPointer { out throws(NNError) in
                                try network.pass(values: values, gradients: target, codes: c.baseAddress! + lo * S, ranks: r.baseAddress! + lo * C,
                                                 rows: n, dropout: &dropout, divisor: 1, capture: PassCapture(sampleNormsSquared: out.baseAddress!))
                            }
                            target.update(repeating: 0, count: parameterCount)
                            // Pass 2: every sub-column's loss of a row weighted by the row's clip factor.
                            var weights = [Float](repeating: 0, count: n * S)
                            for i in 0..<n {
                                let factor = Float(min(1, clip / max(norms[i].squareRoot(), 1e-12)))
                                for j in 0..<S { weights[i * S + j] = factor }
                            }
                            dropout = Dropout(probability: dropoutRate, random: SeededRandom.stream(seed: seed, path + [UInt64(shard)]))
                            _ = try weights.withUnsafeBufferPointer { w throws(NNError) in
                                try network.pass(values: values, gradients: target, codes: c.baseAddress! + lo * S, ranks: r.baseAddress! + lo * C,
                                                 rows: n, dropout: &dropout, divisor: Float(expectedRows),
                                                 conditioning: PassConditioning(input: w.baseAddress!, inputGradient: nil, lossWeights: w.baseAddress!))
                            }
                            return plain.map { $0 / Double(rows) }
                        }
                    }
                }
            }
        } else {
            store.zeroGradients()
        }
        // Noise σ·C per parameter on the sum, i.e. σ·C / expected on the mean.
        let scale = privacy.noiseMultiplier * privacy.maxGradNorm / expectedRows
        store.gradients.withUnsafeMutableBufferPointer { g in
            GaussianNoise.add(to: g.baseAddress!, count: g.count, scale: scale, seed: noiseSeed, workers: workers)
        }
        return losses
    }
}
