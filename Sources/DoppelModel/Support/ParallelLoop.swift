import DoppelParallel

/// DoppelModel's parallel loops, through DoppelParallel's shared ``Executor``s: `body(i)` for
/// every `i` in `0..<count` on up to `workers` threads, results in index order. The executors
/// are kept across calls (``Executor/sharedThreads(jobs:)``), so training steps pay no thread
/// start-up. A call made inside another parallel task runs inline.
enum ParallelLoop {
    /// Failures travel inside `T`, so the loop itself cannot fail.
    static func map<T: Sendable>(_ count: Int, workers: Int, _ body: @Sendable (Int) -> T) -> [T] {
        Executor.sharedThreads(jobs: max(1, workers)).map(count, body)
    }

    /// The sum, in index order, of `body(i)` for `i` in `0..<count`; in a multi-process
    /// ``ProcessGroup`` rank `r` computes the indices `i` with `i % size == r` and the values are
    /// gathered (exactly: each has one contributor) before the sum, so every rank gets the
    /// one-process result. For validation losses.
    static func sum(_ count: Int, workers: Int, group: any ProcessGroup,
                    _ body: @Sendable (Int) -> Result<Double, ModelError>) throws(ModelError) -> Double {
        let mine = Array(stride(from: group.rank, to: count, by: group.size))
        let results = map(mine.count, workers: workers) { body(mine[$0]) }
        var values = [Double](repeating: 0, count: count)
        for (k, result) in results.enumerated() { values[mine[k]] = try result.get() }
        if group.size > 1 {
            do {
                try values.withUnsafeMutableBufferPointer { v throws(DistributedError) in try group.sumContributions(v.baseAddress!, count: v.count) }
            } catch { throw .distributed(error.description) }
        }
        return values.reduce(0, +)
    }
}

/// A raw Float32 scratch buffer that frees itself; for the per-pass activations of the network.
final class FloatBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int, zeroed: Bool = true) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: count) }
    }

    deinit { pointer.deallocate() }

    func zero() { pointer.update(repeating: 0, count: count) }
}

/// A raw pointer handed to parallel tasks that touch disjoint parts of it, or only read it.
struct SharedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
    init(_ pointer: UnsafePointer<T>) { self.pointer = UnsafeMutablePointer(mutating: pointer) }
}

/// Gradient buffers of the data-parallel shards after the first, kept across training steps
/// (each buffer is written by exactly one shard task per step, then read after the loop).
final class ShardScratch: @unchecked Sendable {
    private var buffers: [FloatBuffer] = []

    init() {}

    func reserve(buffers count: Int, size: Int) {
        if buffers.count != count || buffers.first?.count != size {
            buffers = (0..<count).map { _ in FloatBuffer(count: size, zeroed: false) }
        }
    }

    func buffer(_ index: Int) -> UnsafeMutablePointer<Float> { buffers[index].pointer }
}
