import ArgumentParser
import Doppel
import DoppelParallel
import Foundation

/// `--backend` and `--jobs`: how a step runs its parallel tasks (docs/parallel.md), and where a
/// Dask or Spark cluster is (docs/cluster.md).
struct ExecutorOptions: ParsableArguments {
    @Option(help: "Where parallel tasks run: threads, sequential, processes, dask or spark (default: threads). Work that needs shared memory (reading files, training, generating) runs on threads under processes, dask and spark.")
    var backend: String?

    @Option(parsing: .unconditional, help: "Number of parallel workers (0 or 'auto': one per core).")
    var jobs: String = "0"

    @Option(help: "--backend dask: the Dask scheduler's address, e.g. tcp://10.0.0.5:8786 (default: $DASK_SCHEDULER_ADDRESS).")
    var scheduler: String?

    @Option(help: "--backend spark: the Spark master, e.g. spark://10.0.0.5:7077 or local[4] (default: local[JOBS]).")
    var master: String?

    @Option(help: "--backend dask or spark: the Python with dask[distributed] or pyspark that talks to the cluster (default: $DOPPEL_PYTHON, else python3).")
    var python: String?

    @Option(help: "--backend dask or spark: the doppel executable's path on the workers (default: the shipped copy, doppel on the worker's PATH, or the doppel Python package's engine).")
    var workerBinary: String?

    @Flag(help: "--backend dask or spark: send this doppel executable to the workers at start.")
    var shipBinary = false

    func configuration() throws -> ExecutorConfiguration {
        var configuration: ExecutorConfiguration
        do {
            configuration = try ExecutorConfiguration(backend: backend, jobs: jobs)
        } catch {
            throw ValidationError(error.description)
        }
        let environment = ProcessInfo.processInfo.environment
        switch configuration.backend {
        case .dask?:
            guard let address = scheduler ?? environment["DASK_SCHEDULER_ADDRESS"].flatMap({ $0.isEmpty ? nil : $0 }) else {
                throw ValidationError("--backend dask needs --scheduler tcp://HOST:PORT (or DASK_SCHEDULER_ADDRESS)")
            }
            configuration.cluster = cluster(address: address, environment: environment)
        case .spark?:
            configuration.cluster = cluster(address: master ?? "local[\(configuration.resolvedJobs)]", environment: environment)
        default:
            if scheduler != nil || master != nil || workerBinary != nil || shipBinary || python != nil {
                throw ValidationError("--scheduler, --master, --python, --worker-binary and --ship-binary go with --backend dask or spark")
            }
        }
        return configuration
    }

    private func cluster(address: String, environment: [String: String]) -> ClusterConfiguration {
        ClusterConfiguration(address: address, python: python ?? environment["DOPPEL_PYTHON"] ?? "python3", workerBinary: workerBinary,
                             shipBinary: shipBinary, driverVersion: DoppelVersion.current)
    }
}
