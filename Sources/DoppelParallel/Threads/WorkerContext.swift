#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread-local flag that is set while a thread runs a task (a pool worker, a caller taking
/// part in its own call, a sequential loop, a worker process). Parallel calls made while it is
/// set run inline: this is what prevents oversubscription and deadlock for nested calls.
enum WorkerContext {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()

    private static var marker: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: 1) }

    /// Whether the current thread is running a task.
    static var isInsideTask: Bool { pthread_getspecific(key) != nil }

    /// Runs `body` with the flag set, restoring the previous state afterwards.
    @inline(__always)
    static func runAsTask<R>(_ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, marker)
        defer { pthread_setspecific(key, previous) }
        return try body()
    }

    /// Sets the flag for the rest of the thread's life (pool threads, worker processes).
    static func markThreadAsWorker() { pthread_setspecific(key, marker) }
}
