import DoppelParallel

/// How DoppelIO's loops run in parallel. A positive `threads` setting (a read option) asks for
/// that many workers of the shared executor; `0` means the thread's default executor
/// (``Executor/current``: all cores, or what a command's `--backend` and `--jobs` set with
/// ``Executor/withDefault(_:_:)``). Under `sequential`, or inside another parallel task (where
/// calls run inline anyway), there is one worker.
struct IOParallelism: Sendable {
    let executor: Executor
    /// Workers the loops may use: what chunked work should be split for.
    let workers: Int

    init(threads: Int) {
        executor = threads > 0 ? .sharedThreads(jobs: threads) : .current
        workers = executor.configuration.backend == .sequential || Executor.isInsideTask ? 1 : executor.jobs
    }

    /// Runs `body(i)` for every `i` in `0..<count`: inline with one worker, else on the executor.
    /// Each index runs exactly once; callers put results in per-index slots, so the outcome does
    /// not depend on which worker ran what.
    func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        _ = map(count, body)
    }

    /// `body(i)` for every `i` in `0..<count`, in index order whatever ran where.
    func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        if min(workers, count) <= 1 { return (0..<count).map { body($0) } }
        return executor.map(count, body)
    }
}
