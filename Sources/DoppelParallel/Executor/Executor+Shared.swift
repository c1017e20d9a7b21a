#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

extension Executor {
    private static let sharedThreadExecutors = Mutex<[Int: Executor]>([:])

    /// A process-wide `threads` executor with `jobs` workers (`0`: one per core), made on first
    /// use and kept, so that library loops (CSV and Parquet reading, model passes, evaluation)
    /// pay no thread start-up per call; its pool sleeps between calls. Kept per resolved number
    /// of workers, so `0` and the core count share one pool. Like every executor, a call made
    /// from inside a parallel task runs inline.
    public static func sharedThreads(jobs: Int = 0) -> Executor {
        let key = ExecutorConfiguration(jobs: jobs).resolvedJobs
        return sharedThreadExecutors.withLock { cache in
            if let executor = cache[key] { return executor }
            let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: key))
            cache[key] = executor
            return executor
        }
    }

    /// The executor that library loops without a setting of their own use on this thread: the
    /// one set by the innermost ``withDefault(_:_:)`` around the call, else
    /// ``sharedThreads(jobs:)`` with one worker per core.
    public static var current: Executor {
        if let bound = pthread_getspecific(DefaultExecutorSlot.key) {
            return Unmanaged<Executor>.fromOpaque(bound).takeUnretainedValue()
        }
        return sharedThreads()
    }

    /// Runs `body` with `configuration` as the default of every library loop called from this
    /// thread (CSV and Parquet reading and writing, the evaluator): the way a command's
    /// `--backend` and `--jobs` reach loops that take no executor of their own, like joblib's
    /// `parallel_backend` context. Closure loops run on threads under `processes` (see
    /// ``map(_:policy:label:_:)``) and one after the other under `sequential`.
    public static func withDefault<R>(_ configuration: ExecutorConfiguration, _ body: () throws -> R) rethrows -> R {
        let executor = configuration.backend == .sequential
            ? Executor(configuration)
            : sharedThreads(jobs: configuration.jobs)
        let previous = pthread_getspecific(DefaultExecutorSlot.key)
        pthread_setspecific(DefaultExecutorSlot.key, Unmanaged.passUnretained(executor).toOpaque())
        defer { pthread_setspecific(DefaultExecutorSlot.key, previous) }
        return try withExtendedLifetime(executor) { try body() }
    }

    /// `body(i)` for every `i` in `0..<count` (a loop whose tasks cannot fail), in index order
    /// whatever ran where. Tasks are handed out one at a time, so a slow task does not hold the
    /// others up.
    public func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        // `body` cannot throw and a closure loop asks for no particular backend, so neither
        // can the executor.
        try! map(count, label: { "task \($0)" }, body)
    }

    /// Runs `body(i)` for every `i` in `0..<count` (see ``map(_:_:)``), returning when all have run.
    public func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        _ = map(count, body)
    }
}

/// The thread-local slot of ``Executor/withDefault(_:_:)``.
private enum DefaultExecutorSlot {
    static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()
}
