import Synchronization

extension Executor {
    private static let sharedThreadExecutors = Mutex<[Int: Executor]>([:])

    /// A process-wide `threads` executor with `jobs` workers (`0`: one per core), made on first
    /// use and kept, so that library loops (CSV and Parquet reading, model passes, evaluation)
    /// pay no thread start-up per call; its pool sleeps between calls. Like every executor, a
    /// call made from inside a parallel task runs inline.
    public static func sharedThreads(jobs: Int = 0) -> Executor {
        let key = max(0, jobs)
        return sharedThreadExecutors.withLock { cache in
            if let executor = cache[key] { return executor }
            let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: key))
            cache[key] = executor
            return executor
        }
    }

    /// Runs `body(i)` for every `i` in `0..<count` (a loop whose tasks cannot fail), returning
    /// when all have run. Tasks are handed out one at a time, so a slow task does not hold the
    /// others up.
    public func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        // `body` cannot throw and a closure loop asks for no particular backend, so neither
        // can the executor.
        _ = try! map(count, label: { "task \($0)" }, body)
    }
}
