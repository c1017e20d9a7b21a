import DoppelNN
import DoppelParallel

/// The data-parallel part of a training step, shared by every model: `count` fixed shards of a
/// batch run on up to `workers` threads; shard 0 writes its gradient straight into
/// `store.gradients`, the others into their own buffers of `scratch`, which are then added in
/// shard order. The result depends on the shard count, never on `workers` or scheduling.
/// OVERWRITES `store.gradients` and returns the summed per-sub-column losses of the shards.
enum ShardedGradients {
    static func run(store: inout ParameterStore, shards count: Int, workers: Int, scratch: ShardScratch, lossCount: Int,
                    _ body: @Sendable (_ shard: Int, _ values: UnsafePointer<Float>, _ gradients: UnsafeMutablePointer<Float>)
                        -> Result<[Double], NNError>) throws(ModelError) -> [Double] {
        scratch.reserve(buffers: count - 1, size: store.count)
        let parameterCount = store.count
        let results = store.withValuesAndGradients { v, g in
            let values = SharedPointer(v.baseAddress!), gradients = SharedPointer(g.baseAddress!)
            return ParallelLoop.map(count, workers: workers) { shard in
                let target = shard == 0 ? gradients.pointer : scratch.buffer(shard - 1)
                target.update(repeating: 0, count: parameterCount)
                return body(shard, values.pointer, target)
            }
        }
        var total = [Double](repeating: 0, count: lossCount)
        for (shard, result) in results.enumerated() {
            let losses: [Double]
            do { losses = try result.get() } catch {
                throw .shapeMismatch(error.description)
            }
            for j in 0..<lossCount { total[j] += losses[j] }
            if shard > 0 {
                store.gradients.withUnsafeMutableBufferPointer { g in VectorMath.add(g.baseAddress!, scratch.buffer(shard - 1), count: parameterCount) }
            }
        }
        return total
    }
}
