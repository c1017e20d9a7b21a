#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed pool of threads that sleep on a condition variable until a job arrives (they never
/// spin). The thread that submits a job takes part in it, so a pool of `n` threads gives `n + 1`
/// workers and a job always makes progress even when every pool thread is busy elsewhere.
final class WorkerPool: @unchecked Sendable {
    let threadCount: Int
    private let lock = ConditionLock()
    // Guarded by `lock`: jobs that still have unclaimed tasks, oldest first.
    private var queue: [ParallelJob] = []
    private var isShuttingDown = false

    init(threadCount: Int) {
        self.threadCount = threadCount
        for _ in 0..<threadCount { startThread() }
    }

    /// Runs every task of `job` (on pool threads and the calling thread) and returns when all finished.
    func run(_ job: ParallelJob) {
        lock.withLock {
            queue.append(job)
            lock.broadcast()
        }
        WorkerContext.runAsTask { job.work(participants: threadCount + 1) }
        dequeue(job)
        job.waitUntilComplete()
        job.releaseBody()
    }

    /// Lets the threads finish their current job and exit.
    func shutdown() {
        lock.withLock {
            isShuttingDown = true
            lock.broadcast()
        }
    }

    private func dequeue(_ job: ParallelJob) {
        lock.withLock {
            if let position = queue.firstIndex(where: { $0 === job }) { queue.remove(at: position) }
        }
    }

    private func workerLoop() {
        WorkerContext.markThreadAsWorker()
        while true {
            lock.lock()
            while queue.isEmpty && !isShuttingDown { lock.wait() }
            if isShuttingDown {
                lock.unlock()
                return
            }
            let job = queue[0]
            job.join()
            lock.unlock()
            job.work(participants: threadCount + 1)
            dequeue(job)
            job.leave()
        }
    }

    private func startThread() {
        let start = Unmanaged.passRetained(ThreadStart { [self] in workerLoop() }).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, 8 << 20)
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { raw in
            let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
            start.body()
            return nil
        }, start)
        precondition(status == 0, "pthread_create failed (\(status))")
    }
}

/// The entry closure of a pool thread, boxed to pass through `pthread_create`'s context pointer.
private final class ThreadStart {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}
