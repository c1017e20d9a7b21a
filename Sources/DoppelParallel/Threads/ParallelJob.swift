import Synchronization

/// One parallel call on the thread pool: tasks `0..<count`, claimed from a shared atomic counter
/// by every thread that takes part (pool workers and the caller).
final class ParallelJob: @unchecked Sendable {
    let count: Int
    // Written at init and cleared by `releaseBody()` once all tasks finished and every pool thread
    // left the job; read only inside `work()`, i.e. before that point.
    private var body: (@Sendable (Int) -> Void)?
    private let nextIndex = Atomic<Int>(0)
    private let finishedCount = Atomic<Int>(0)
    // Pool threads inside `work()` for this job (joined under the pool's lock while it is queued).
    private let helpers = Atomic<Int>(0)
    private let completion = ConditionLock()
    private var isComplete = false  // guarded by `completion`

    init(count: Int, body: @escaping @Sendable (Int) -> Void) {
        self.count = count
        self.body = body
    }

    /// Whether some task has not been claimed yet.
    var hasUnclaimedTasks: Bool { nextIndex.load(ordering: .relaxed) < count }

    /// Claims and runs tasks until none is left to claim.
    ///
    /// Claims follow guided self-scheduling (Polychronopoulos & Kuck, 1987): a claim takes
    /// `remaining / (4 × participants)` tasks (at least one), so that many small tasks cost few
    /// atomic operations while the shrinking claims still balance the end of the job. Jobs of at
    /// most ``singleClaimLimit`` tasks (typically coarse: partitions, columns) claim one at a time.
    func work(participants: Int) {
        let divisor = 4 * max(1, participants)
        // One copy of the closure per call, not per task: retaining a shared closure context for
        // every task made two threads fight over its reference count (~100 ns per task).
        guard let body else { return }
        while true {
            var start = nextIndex.load(ordering: .relaxed)
            var claimed = 0
            while true {
                guard start < count else { return }
                claimed = count <= Self.singleClaimLimit ? 1 : max(1, (count - start) / divisor)
                let exchange = nextIndex.weakCompareExchange(
                    expected: start, desired: start + claimed, ordering: .relaxed
                )
                if exchange.exchanged { break }
                start = exchange.original
            }
            var index = start
            while index < start + claimed {
                body(index)
                index += 1
            }
            if finishedCount.wrappingAdd(claimed, ordering: .acquiringAndReleasing).newValue == count {
                completion.withLock {
                    isComplete = true
                    completion.broadcast()
                }
            }
        }
    }

    /// Jobs with at most this many tasks claim them one at a time.
    static let singleClaimLimit = 256

    /// A pool thread is about to call ``work(participants:)`` (call under the pool's lock, while
    /// the job is queued).
    func join() { helpers.wrappingAdd(1, ordering: .relaxed) }

    /// A pool thread has returned from ``work(participants:)``.
    func leave() {
        if helpers.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            completion.withLock { completion.broadcast() }
        }
    }

    /// Sleeps until every task has finished and every pool thread has left the job (call after
    /// the job left the queue, so that no thread can join any more). Then nobody but the caller
    /// holds the task closure.
    func waitUntilComplete() {
        completion.lock()
        while !isComplete || helpers.load(ordering: .acquiring) != 0 { completion.wait() }
        completion.unlock()
    }

    /// Drops the task closure (call after ``waitUntilComplete()``).
    func releaseBody() { body = nil }
}
