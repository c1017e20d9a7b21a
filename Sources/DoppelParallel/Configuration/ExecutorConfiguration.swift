#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an ``Executor`` runs parallel work: the backend chosen by the caller (the CLI's
/// `--backend`) and the number of workers (`--jobs`).
public struct ExecutorConfiguration: Sendable, Equatable {
    /// The caller's backend choice; `nil` means no choice: `threads`, and task preferences apply
    /// (see ``BackendPolicy``).
    public var backend: Backend?
    /// Number of workers (threads, or worker processes); `0` means one per available core.
    public var jobs: Int
    /// The executable started as a worker process by the `processes` backend; `nil` means this
    /// process's own executable (which must call ``WorkerProcess/runIfRequested()`` first thing).
    public var workerExecutable: String?
    /// The cluster of the `dask` and `spark` backends.
    public var cluster: ClusterConfiguration?

    public init(backend: Backend? = nil, jobs: Int = 0, workerExecutable: String? = nil, cluster: ClusterConfiguration? = nil) {
        self.backend = backend
        self.jobs = max(0, jobs)
        self.workerExecutable = workerExecutable
        self.cluster = cluster
    }

    /// Parses command-line values: `backend` is `threads`, `sequential` or `processes` (`nil` or
    /// empty: no choice); `jobs` is a positive whole number, or `0` / `auto` for all cores
    /// (`nil` or empty: all cores).
    public init(backend: String?, jobs: String?) throws(ConfigurationError) {
        var configuration = ExecutorConfiguration()
        if let backend, !backend.trimmingWhitespace.isEmpty { configuration.backend = try Backend(parsing: backend) }
        if let jobs, !jobs.trimmingWhitespace.isEmpty { configuration.jobs = try Self.parseJobs(jobs) }
        self = configuration
    }

    /// The largest accepted `jobs` value.
    public static let maximumJobs = 1024

    /// Parses a `--jobs` value (see ``init(backend:jobs:)``).
    public static func parseJobs(_ text: String) throws(ConfigurationError) -> Int {
        let trimmed = text.trimmingWhitespace
        if trimmed.lowercased() == "auto" { return 0 }
        guard let value = Int(trimmed), value >= 0 else { throw .invalidJobs(text) }
        guard value <= maximumJobs else { throw .tooManyJobs(text) }
        return value
    }

    /// `jobs`, with `0` replaced by the number of available cores.
    public var resolvedJobs: Int { jobs > 0 ? jobs : Self.availableCores }

    /// Threads for loops that need shared memory (model passes): one under `sequential`, else
    /// ``resolvedJobs`` (also under `processes`, `dask` and `spark`, whose closures run on threads).
    public var threadWorkers: Int { backend == .sequential ? 1 : resolvedJobs }

    /// Cores online (note: ignores CPU affinity masks; pass `jobs` to override).
    public static var availableCores: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

/// An invalid executor setting, with a message that names the flag and the accepted values.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case unknownBackend(String)
    case invalidJobs(String)
    case tooManyJobs(String)

    public var description: String {
        switch self {
        case .unknownBackend(let text):
            "unknown backend '\(text)': expected one of \(Backend.allCases.map(\.rawValue).joined(separator: ", "))"
        case .invalidJobs(let text):
            "invalid jobs value '\(text)': expected a positive whole number, or 0 / 'auto' for all cores"
        case .tooManyJobs(let text):
            "invalid jobs value '\(text)': at most \(ExecutorConfiguration.maximumJobs) workers"
        }
    }
}
