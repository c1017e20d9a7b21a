/// Where the tasks of a parallel call run.
public enum Backend: String, Sendable, CaseIterable, CustomStringConvertible {
    /// A fixed pool of threads in this process; tasks share every column read-only (the default).
    case threads
    /// One task after the other on the calling thread, in task order.
    case sequential
    /// Worker processes of the same executable: only task descriptors and small results cross the
    /// pipe; workers memory-map the workspace files they need. Only registered, named tasks
    /// (``TaskRegistry``) can run there; closure tasks run on threads under this backend.
    case processes
    /// Worker processes of a Dask cluster (`dask.distributed`): each named task runs the doppel
    /// executable on a worker (`doppel __task NAME`) against the workspace on shared storage;
    /// closure tasks run on threads here, like under `processes` (docs/cluster.md).
    case dask
    /// The same on a Spark cluster, through PySpark (tasks as rows of an RDD).
    case spark

    /// Whether tasks run on a cluster's workers (``ClusterConfiguration``).
    public var isCluster: Bool { self == .dask || self == .spark }

    /// Parses a backend name (`threads`, `sequential`, `processes`, `dask`, `spark`; case-insensitive).
    public init(parsing text: String) throws(ConfigurationError) {
        let name = text.trimmingWhitespace.lowercased()
        guard let backend = Backend(rawValue: name) else { throw .unknownBackend(text) }
        self = backend
    }

    public var description: String { rawValue }
}

/// What a task asks of the backend.
///
/// Resolution rule (also in docs/parallel.md):
///
/// | policy          | caller chose nothing | caller chose `X` |
/// | --------------- | -------------------- | ---------------- |
/// | `.any`          | `threads`            | `X`              |
/// | `.prefer(P)`    | `P`                  | `X`              |
/// | `.require(R)`   | `R`                  | `R`              |
///
/// A caller's choice wins over a preference; a requirement wins over the caller. Independently of
/// this table, a call made from inside a running task always runs inline (see ``Executor``).
public enum BackendPolicy: Sendable, Equatable {
    /// Any backend: the caller's choice, else `threads`.
    case any
    /// The task runs best on this backend, but the caller's explicit choice wins.
    case prefer(Backend)
    /// The task must run on this backend (e.g. `.threads` for tasks that need shared memory).
    case require(Backend)

    /// The backend that runs a task with this policy when the caller chose `callerChoice`
    /// (`nil`: the caller made no choice).
    public func resolve(callerChoice: Backend?) -> Backend {
        switch self {
        case .require(let required): required
        case .prefer(let preferred): callerChoice ?? preferred
        case .any: callerChoice ?? .threads
        }
    }
}

extension String {
    var trimmingWhitespace: Substring {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return slice
    }
}
