import Synchronization

/// One parallel call on the thread pool: tasks `0..<count`, claimed one at a time from a shared
/// atomic counter by every thread that takes part (pool workers and the caller).
final class ParallelJob: @unchecked Sendable {
    let count: Int
    // Written at init and cleared by `releaseBody()` after all tasks finished; read only by a thread
    // that claimed a valid index, i.e. before the completion counter reaches `count`.
    private var body: (@Sendable (Int) -> Void)?
    private let nextIndex = Atomic<Int>(0)
    private let finishedCount = Atomic<Int>(0)
    private let completion = ConditionLock()
    private var isComplete = false  // guarded by `completion`

    init(count: Int, body: @escaping @Sendable (Int) -> Void) {
        self.count = count
        self.body = body
    }

    /// Whether some task has not been claimed yet.
    var hasUnclaimedTasks: Bool { nextIndex.load(ordering: .relaxed) < count }

    /// Claims and runs tasks until none is left to claim.
    func work() {
        while true {
            let index = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < count else { return }
            run(index)
            if finishedCount.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == count {
                completion.withLock {
                    isComplete = true
                    completion.broadcast()
                }
            }
        }
    }

    // Kept out of line so that the closure reference it loads is released before the completion
    // counter moves (the caller's `withoutActuallyEscaping` checks that nobody still holds it).
    @inline(never)
    private func run(_ index: Int) {
        body.unsafelyUnwrapped(index)
    }

    /// Sleeps until every task has finished.
    func waitUntilComplete() {
        completion.lock()
        while !isComplete { completion.wait() }
        completion.unlock()
    }

    /// Drops the task closure (call after ``waitUntilComplete()``).
    func releaseBody() { body = nil }
}
