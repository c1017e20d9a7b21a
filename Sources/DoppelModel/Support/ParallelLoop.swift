import Dispatch

/// The one place where DoppelModel runs work in parallel (to be replaced by DoppelParallel's
/// Executor): `body(i)` for every `i` in `0..<count`, on up to `workers` threads.
///
/// Results must not depend on scheduling: callers give each index its own output slot and
/// combine the slots in index order afterwards.
enum ParallelLoop {
    static func forEach(_ count: Int, workers: Int, _ body: @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        if workers <= 1 || count == 1 {
            for i in 0..<count { body(i) }
            return
        }
        // Each of `lanes` threads takes indices lane, lane + lanes, … so at most `workers` run at once.
        let lanes = min(workers, count)
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            var i = lane
            while i < count {
                body(i)
                i += lanes
            }
        }
    }
}

/// One result slot per parallel task, written by exactly that task and read only after the
/// loop has returned (the rule that makes the unchecked `Sendable` sound).
final class ResultSlots<Element>: @unchecked Sendable {
    // Raw storage, not an Array property: concurrent writes to distinct elements of a class's
    // array property would trip Swift's dynamic exclusivity checks.
    private let slots: UnsafeMutablePointer<Element?>
    let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil, count: count)
    }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
    func set(_ index: Int, _ value: Element) { slots[index] = value }
    /// The results in index order (every slot must have been set).
    func values() -> [Element] { (0..<count).map { slots[$0]! } }
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
