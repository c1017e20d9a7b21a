
/// The one API for every parallel loop in Doppel.
///
/// - Backends: see ``Backend``; the backend of a call is resolved from the caller's choice
///   (``ExecutorConfiguration/backend``) and the call's ``BackendPolicy``.
/// - Nesting: a call made from inside a task that runs in parallel with others (on a pool
///   thread, or in a worker process, of any executor) runs inline, in task order, on the thread
///   of the task that made it: no oversubscription, no deadlock. Tasks that run one at a time
///   (the `sequential` backend, a single task, `jobs` = 1) leave their own calls free to use the
///   workers.
/// - Failure: the first failing task (lowest index among those that ran) is reported as one
///   ``TaskFailure`` carrying its label; tasks not yet started are skipped; no partial results
///   are returned.
/// - Determinism: results come back in task order whatever the completion order; per-task random
///   streams come from ``SeededRandom/stream(seed:_:)`` (see ``map(_:seed:streamPath:policy:label:_:)``).
///
/// Calls block the calling thread, which takes part in the work. From `async` code, prefer calling
/// from a dedicated thread or accept that one cooperative thread is busy for the call's duration.
public final class Executor: Sendable {
    public let configuration: ExecutorConfiguration
    private let pool = Locked<WorkerPool?>(nil)
    private let processes: ProcessPool
    private let cluster: ClusterPool?

    public init(_ configuration: ExecutorConfiguration = ExecutorConfiguration()) {
        self.configuration = configuration
        processes = ProcessPool(
            executable: configuration.workerExecutable ?? ProcessPool.currentExecutable,
            size: configuration.resolvedJobs
        )
        cluster = configuration.backend.flatMap { backend in
            backend.isCluster ? configuration.cluster.map { ClusterPool(backend: backend, configuration: $0) } : nil
        }
    }

    deinit {
        pool.withLock { $0?.shutdown() }
    }

    /// Number of workers a parallel call uses.
    public var jobs: Int { configuration.resolvedJobs }

    /// The backend that a call with `policy` runs on (before the nesting rule).
    public func backend(for policy: BackendPolicy) -> Backend {
        policy.resolve(callerChoice: configuration.backend)
    }

    /// Whether the current thread runs a task in parallel with others (so that parallel calls run inline).
    public static var isInsideTask: Bool { WorkerContext.isInsideTask }

    // MARK: - Closure tasks

    /// Runs `body(i)` for `i` in `0..<count` in parallel and returns the results in index order.
    ///
    /// Closure tasks run in this process: under the `processes` backend they run on threads
    /// (a closure cannot cross a process boundary); `.require(.processes)` throws.
    /// - Parameter label: names task `i` in errors (e.g. `"partition 3, column 'age'"`); called only on failure.
    /// - Throws: ``TaskFailure`` for the first failing task; the remaining tasks are cancelled.
    public func map<T: Sendable>(
        _ count: Int,
        policy: BackendPolicy = .any,
        label: (Int) -> String,
        _ body: @Sendable (Int) throws -> T
    ) throws -> [T] {
        guard count > 0 else { return [] }
        let backend = backend(for: policy)
        if case .require(.processes) = policy { throw ExecutorError.closureCannotRunInProcesses }
        return try runInProcess(count, backend: backend, label: label, body)
    }

    /// ``map(_:policy:label:_:)`` with a random stream per task:
    /// `SeededRandom.stream(seed: seed, streamPath + [i])` for task `i`, so results do not depend
    /// on the backend, the number of jobs or the scheduling order.
    public func map<T: Sendable>(
        _ count: Int,
        seed: UInt64,
        streamPath: [UInt64] = [],
        policy: BackendPolicy = .any,
        label: (Int) -> String,
        _ body: @Sendable (Int, inout SeededRandom) throws -> T
    ) throws -> [T] {
        try map(count, policy: policy, label: label) { index in
            var random = SeededRandom.stream(seed: seed, streamPath + [UInt64(index)])
            return try body(index, &random)
        }
    }

    /// Splits `0..<n` into ranges of `chunkSize` (the last one shorter) and returns `body(range)`
    /// for each, in order. The split does not depend on the number of jobs, so reductions over
    /// the returned partial results are deterministic.
    public func mapChunks<T: Sendable>(
        _ n: Int,
        chunkSize: Int,
        policy: BackendPolicy = .any,
        _ body: @Sendable (Range<Int>) throws -> T
    ) throws -> [T] {
        let size = max(1, chunkSize)
        let chunks = (n + size - 1) / size
        return try map(chunks, policy: policy, label: { "rows \($0 * size)..<\(min(n, ($0 + 1) * size))" }) { chunk in
            try body(chunk * size..<min(n, (chunk + 1) * size))
        }
    }

    /// A chunked loop over `0..<n` for fine-grained kernels: `body` receives disjoint ranges of at
    /// least `minimumChunk` indices (except a shorter last one) covering `0..<n` exactly once.
    /// The split depends on the number of jobs: write results by index, do not reduce per range
    /// (use ``mapChunks(_:chunkSize:policy:_:)`` for deterministic reductions).
    public func forEachRange(
        _ n: Int,
        minimumChunk: Int,
        policy: BackendPolicy = .any,
        _ body: @Sendable (Range<Int>) -> Void
    ) {
        guard n > 0 else { return }
        let workers = backend(for: policy) == .sequential || Self.isInsideTask ? 1 : jobs
        let chunks = workers == 1 ? 1 : min((n + max(1, minimumChunk) - 1) / max(1, minimumChunk), 4 * workers)
        if chunks <= 1 {
            body(0..<n)
            return
        }
        withoutActuallyEscaping(body) { body in
            threadPool().run(ParallelJob(count: chunks) { chunk in
                body(n * chunk / chunks..<n * (chunk + 1) / chunks)
            })
        }
    }

    // MARK: - Named tasks

    /// Runs the registered task `taskName` once per descriptor and returns the results in order.
    ///
    /// Under `processes`, each descriptor is sent (as JSON) to an idle worker process, which runs
    /// the task as registered there and sends back the result; under `threads` and `sequential`
    /// the task registered in this process runs directly. A crashed worker process fails the call
    /// with ``WorkerProcessError/crashed(pid:how:)`` wrapped in a ``TaskFailure`` naming the task.
    public func mapTask<D: Codable & Sendable, R: Codable & Sendable>(
        _ taskName: String,
        descriptors: [D],
        policy: BackendPolicy = .any,
        label: (Int) -> String,
        as resultType: R.Type = R.self
    ) throws -> [R] {
        guard !descriptors.isEmpty else { return [] }
        let backend = backend(for: policy)
        if backend == .processes && !Self.isInsideTask {
            return try processes.map(taskName, descriptors: descriptors, label: label, as: R.self)
        }
        if backend.isCluster && !Self.isInsideTask {
            return try clusterPool(backend).map(taskName, descriptors: descriptors, label: label, as: R.self)
        }
        let task: @Sendable (D) throws -> R = try TaskRegistry.typedBody(taskName)
        return try runInProcess(descriptors.count, backend: backend, label: label) { index in
            try task(descriptors[index])
        }
    }

    // MARK: - Cluster commands

    /// Whether named tasks and ``runOnCluster(_:label:)`` go to a Dask or Spark cluster.
    public var runsOnCluster: Bool { configuration.backend?.isCluster == true && cluster != nil && !Self.isInsideTask }

    /// Runs whole doppel commands on the cluster's workers (e.g. one part of a generation each);
    /// returns their standard outputs in order. Only under the `dask` and `spark` backends.
    public func runOnCluster(_ commands: [ClusterCommand], label: (Int) -> String) throws -> [String] {
        try clusterPool(configuration.backend ?? .threads).run(commands, label: label)
    }

    /// Connects to the cluster now (rather than at the first task) and describes it.
    public func connectCluster() throws -> String {
        try clusterPool(configuration.backend ?? .threads).connect()
    }

    /// How many named tasks run at once: the cluster's worker threads under `dask` and `spark`
    /// (connecting to it if need be), else ``jobs``. Callers that feed tasks in batches size them by this.
    public func concurrentTasks() throws -> Int {
        runsOnCluster ? max(jobs, try clusterSlots()) : jobs
    }

    /// Tasks the cluster runs at once.
    public func clusterSlots() throws -> Int {
        try clusterPool(configuration.backend ?? .threads).slots()
    }

    private func clusterPool(_ backend: Backend) throws -> ClusterPool {
        guard let cluster else {
            throw ClusterError("the \(backend) backend needs a cluster address (--scheduler for dask, --master for spark)")
        }
        return cluster
    }

    // MARK: - In-process execution

    private func runInProcess<T: Sendable>(
        _ count: Int,
        backend: Backend,
        label: (Int) -> String,
        _ body: @Sendable (Int) throws -> T
    ) throws -> [T] {
        if backend == .sequential || count == 1 || jobs == 1 || Self.isInsideTask {
            return try runInline(count, label: label, body)
        }
        let slots = ResultSlots<T>(count: count)
        let failures = FailureRecord()
        withoutActuallyEscaping(body) { body in
            threadPool().run(ParallelJob(count: count) { index in
                if failures.isCancelled { return }
                do { slots.store(try body(index), at: index) } catch { failures.record(index: index, error: error) }
            })
        }
        if let failure = failures.failure {
            throw TaskFailure(label: label(failure.index), index: failure.index, underlying: failure.error)
        }
        guard let results = slots.collect() else { preconditionFailure("a task finished without a result or an error") }
        return results
    }

    /// Task order on the calling thread, stopping at the first failure. Only one task runs at a
    /// time here, so the tasks' own parallel calls may use the workers (the flag that makes them
    /// inline is left as it is: set only if this call is itself nested).
    private func runInline<T>(_ count: Int, label: (Int) -> String, _ body: (Int) throws -> T) throws -> [T] {
        var results: [T] = []
        results.reserveCapacity(count)
        for index in 0..<count {
            do {
                results.append(try body(index))
            } catch {
                throw TaskFailure(label: label(index), index: index, underlying: error)
            }
        }
        return results
    }

    /// The thread pool (`jobs - 1` threads: the caller is the last worker), started on first use.
    private func threadPool() -> WorkerPool {
        pool.withLock { pool in
            if let pool { return pool }
            let started = WorkerPool(threadCount: jobs - 1)
            pool = started
            return started
        }
    }
}
