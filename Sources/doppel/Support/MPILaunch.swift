import ArgumentParser
import DoppelParallel
import Foundation

/// `doppel train` and `doppel generate` under an MPI launcher (`mpirun -np N`, `srun`): the
/// process group of this run, its progress on rank 0 only, and its failures. A rank that fails
/// prints its error (naming its rank) and aborts the whole job, so no rank waits forever in a
/// collective; the launcher then reports the job as failed. Without a launcher's environment
/// nothing of MPI is loaded and the group is a ``SingleProcess``.
enum MPILaunch {
    /// The group of this process: the MPI job's ranks when launched by MPI, else a single process.
    static func processGroup() throws -> any ProcessGroup {
        let environment = ProcessInfo.processInfo.environment
        guard MPIProcessGroup.launchedByMPI(environment) else { return SingleProcess() }
        do {
            return try MPIProcessGroup(environment: environment)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Runs `body` as one rank of `group`: an error on any rank aborts every rank (exit status 1);
    /// after success MPI is finalised (with `DOPPEL_MPI_STATS` set, each rank first prints its
    /// communication time, calls and bytes).
    static func run<T>(_ group: any ProcessGroup, _ body: () throws -> T) throws -> T {
        guard let mpi = group as? MPIProcessGroup else { return try body() }
        do {
            let result = try body()
            if ProcessInfo.processInfo.environment["DOPPEL_MPI_STATS"] != nil {
                // One line per rank: where a step's time goes (docs/distributed-training.md).
                print(String(format: "MPI stats: rank %d of %d: %.3f s in %d communication calls, %.1f MB sent",
                             mpi.rank, mpi.size, mpi.communicationSeconds, mpi.calls, Double(mpi.bytesSent) / 1e6))
            }
            mpi.finalize()
            return result
        } catch {
            if !(error is ExitCode) { FileHandle.standardError.write(Data("error: rank \(mpi.rank) of \(mpi.size): \(error)\n".utf8)) }
            FileHandle.standardError.write(Data("error: rank \(mpi.rank) of \(mpi.size) failed: aborting the MPI job\n".utf8))
            mpi.abort(code: 1)
        }
    }

    /// The line rank 0 prints first, e.g. "MPI: 2 ranks (Open MPI v4.1.4)"; `nil` for one process.
    static func banner(_ group: any ProcessGroup) -> String? {
        guard let mpi = group as? MPIProcessGroup else { return nil }
        return "MPI: \(mpi.size) rank\(mpi.size == 1 ? "" : "s") (\(mpi.libraryVersion))"
    }
}
