import DoppelParallel

/// An allreduce whose additions follow one fixed balanced binary tree over the ranks, so the sum
/// is the same bits on every rank and the same as the tree sum computed in one process.
///
/// Rabenseifner's algorithm (R. Thakur, R. Rabenseifner, W. Gropp, "Optimization of Collective
/// Communication Operations in MPICH", 2005): a reduce-scatter by recursive halving (at step `k`
/// rank `r` swaps half of its current segment with rank `r XOR 2^k` and adds the half it keeps)
/// followed by an allgather by recursive doubling (the same pairs in reverse, copying). Step `k`
/// adds (``VectorMath/add(_:_:count:)``) the sums of two adjacent blocks of `2^k` ranks,
/// i.e. the tree's level `k`; every element is added on exactly one rank per level and then copied, never re-added, so all ranks
/// end with identical bits. Each rank sends and receives `2·(N−1)/N` of the buffer, like a ring
/// allreduce. Needs a power-of-two rank count.
public enum TreeAllreduce {
    /// Replaces `buffer` on every rank of `group` by the tree sum of all ranks' buffers.
    public static func run(_ buffer: UnsafeMutablePointer<Float>, count: Int, group: some ProcessGroup) throws(DistributedError) {
        let rank = group.rank, size = group.size
        guard size > 1 else { return }
        guard size & (size - 1) == 0 else {
            throw .unsupported("\(size) ranks: the deterministic gradient sum needs a power-of-two rank count (2, 4, 8, …)")
        }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, (count + 1) / 2))
        defer { scratch.deallocate() }
        var segment = 0..<count
        var history: [Range<Int>] = []
        var mask = 1
        // Reduce-scatter: halve the segment each level, adding the partner's copy of the kept half.
        while mask < size {
            let partner = rank ^ mask
            let middle = segment.lowerBound + segment.count / 2
            let lower = segment.lowerBound..<middle, upper = middle..<segment.upperBound
            let (keep, give) = rank & mask == 0 ? (lower, upper) : (upper, lower)
            try group.exchange(partner: partner, send: buffer + give.lowerBound, count: give.count, receive: scratch, count: keep.count)
            VectorMath.add(buffer + keep.lowerBound, scratch, count: keep.count)
            history.append(segment)
            segment = keep
            mask <<= 1
        }
        // Allgather: the same pairs in reverse order, each sending its finished part.
        while mask > 1 {
            mask >>= 1
            let partner = rank ^ mask
            let whole = history.removeLast()
            let middle = whole.lowerBound + whole.count / 2
            let other = rank & mask == 0 ? middle..<whole.upperBound : whole.lowerBound..<middle
            try group.exchange(partner: partner, send: buffer + segment.lowerBound, count: segment.count,
                               receive: buffer + other.lowerBound, count: other.count)
            segment = whole
        }
    }
}

extension ProcessGroup {
    /// Replaces `buffer` on every rank by the element-wise sum of all ranks' buffers, added as
    /// the balanced binary tree over ranks (``TreeAllreduce``): adjacent ranks first, then pairs
    /// of pairs. So a sum over `N·b` ordered parts, of which rank `r` holds parts `r·b..<(r+1)·b`
    /// already summed by the same tree, equals bit for bit the tree sum of all parts in one process.
    public func sumInTreeOrder(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws(DistributedError) {
        try TreeAllreduce.run(buffer, count: count, group: self)
    }
}
