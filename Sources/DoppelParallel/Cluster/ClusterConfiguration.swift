/// Where the `dask` and `spark` backends send their tasks (docs/cluster.md).
public struct ClusterConfiguration: Sendable, Equatable {
    /// The Dask scheduler (`tcp://host:8786`) or the Spark master (`spark://host:7077`,
    /// `local[2]`, `yarn`, …).
    public var address: String
    /// The Python interpreter with `dask[distributed]` or `pyspark` that runs the adapter.
    public var python: String
    /// The doppel executable's path on the workers; `nil`: the shipped copy (``shipBinary``),
    /// else `doppel` on the worker's PATH, else the doppel Python package's engine.
    public var workerBinary: String?
    /// Send this process's executable to the workers at start (Dask: a worker plugin; Spark:
    /// `SparkContext.addFile`).
    public var shipBinary: Bool
    /// Seconds to wait for the scheduler before giving up.
    public var connectTimeout: Double
    /// The driver's doppel version: workers of another version refuse the tasks.
    public var driverVersion: String

    public init(address: String, python: String = "python3", workerBinary: String? = nil, shipBinary: Bool = false,
                connectTimeout: Double = 5, driverVersion: String = "") {
        self.address = address
        self.python = python
        self.workerBinary = workerBinary
        self.shipBinary = shipBinary
        self.connectTimeout = connectTimeout
        self.driverVersion = driverVersion
    }
}

/// A cluster backend that could not run: the adapter did not start, the scheduler is
/// unreachable, the engine lost the tasks.
public struct ClusterError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
