import DoppelNN
import DoppelParallel

/// The data-parallel part of a training step, shared by every model: `count` fixed shards of a
/// batch, whose gradients are added as a balanced binary tree over the shards (halves split at
/// `lo + n/2`, the left half's buffer keeps the sum). The result depends on the shard count,
/// never on `workers`, scheduling or the number of processes.
///
/// In one process the shards run on up to `workers` threads; shard 0 writes its gradient straight
/// into `store.gradients`, the others into their own buffers of `scratch`. In a ``ProcessGroup`` of
/// `N` ranks (MPI) whose size divides `count`, rank `r` runs only shards `r·count/N..<(r+1)·count/N`,
/// sums them by the same tree, and ``ProcessGroup/sumInTreeOrder(_:count:)`` adds the ranks'
/// sums as the tree's upper levels: the same bits as one process (with a power-of-two `N` the
/// tree's splits fall on the ranks' block boundaries). When `N` does not divide `count` (a batch
/// of fewer rows than ranks) every rank runs all shards. The per-shard losses are gathered and
/// summed in shard order. OVERWRITES `store.gradients` and returns the summed per-sub-column losses.
enum ShardedGradients {
    static func run(store: inout ParameterStore, shards count: Int, workers: Int, group: any ProcessGroup, scratch: ShardScratch,
                    lossCount: Int,
                    _ body: @Sendable (_ shard: Int, _ values: UnsafePointer<Float>, _ gradients: UnsafeMutablePointer<Float>)
                        -> Result<[Double], NNError>) throws(ModelError) -> [Double] {
        let distributed = group.evenBlock(of: count)
        let local = distributed ?? 0..<count
        scratch.reserve(buffers: local.count - 1, size: store.count)
        let parameterCount = store.count
        let results = store.withValuesAndGradients { v, g in
            let values = SharedPointer(v.baseAddress!), gradients = SharedPointer(g.baseAddress!)
            return ParallelLoop.map(local.count, workers: workers) { i in
                let target = i == 0 ? gradients.pointer : scratch.buffer(i - 1)
                target.update(repeating: 0, count: parameterCount)
                return body(local.lowerBound + i, values.pointer, target)
            }
        }
        var losses = [Double](repeating: 0, count: count * lossCount)
        for (i, result) in results.enumerated() {
            let shardLosses: [Double]
            do { shardLosses = try result.get() } catch { throw .shapeMismatch(error.description) }
            for j in 0..<lossCount { losses[(local.lowerBound + i) * lossCount + j] = shardLosses[j] }
        }
        store.gradients.withUnsafeMutableBufferPointer { g in
            treeSum(0, local.count, count: parameterCount) { $0 == 0 ? g.baseAddress! : scratch.buffer($0 - 1) }
        }
        if distributed != nil {
            do {
                try store.gradients.withUnsafeMutableBufferPointer { g throws(DistributedError) in
                    try group.sumInTreeOrder(g.baseAddress!, count: parameterCount)
                }
                try losses.withUnsafeMutableBufferPointer { l throws(DistributedError) in
                    try group.sumContributions(l.baseAddress!, count: l.count)
                }
            } catch { throw .distributed(error.description) }
        }
        var total = [Double](repeating: 0, count: lossCount)
        for shard in 0..<count {
            for j in 0..<lossCount { total[j] += losses[shard * lossCount + j] }
        }
        return total
    }

    /// Adds the buffers `lo..<hi` into buffer `lo` as the balanced binary tree.
    private static func treeSum(_ lo: Int, _ hi: Int, count: Int, buffer: (Int) -> UnsafeMutablePointer<Float>) {
        guard hi - lo > 1 else { return }
        let middle = lo + (hi - lo) / 2
        treeSum(lo, middle, count: count, buffer: buffer)
        treeSum(middle, hi, count: count, buffer: buffer)
        VectorMath.add(buffer(lo), buffer(middle), count: count)
    }
}
