import Synchronization

/// The failure of a parallel call: the lowest failing task index seen and its error, plus a
/// cancellation flag that workers check before starting a task.
final class FailureRecord: Sendable {
    private let first = Locked<(index: Int, error: any Error)?>(nil)
    private let cancelled = Atomic<Bool>(false)

    /// Whether a task failed (remaining tasks are then skipped).
    @inline(__always) var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    func record(index: Int, error: any Error) {
        first.withLock { current in
            if current == nil || index < current!.index { current = (index, error) }
        }
        cancelled.store(true, ordering: .relaxed)
    }

    var failure: (index: Int, error: any Error)? { first.withLock { $0 } }
}
