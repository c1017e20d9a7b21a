import ArgumentParser
import DoppelParallel

/// `--backend` and `--jobs`: how a step runs its parallel tasks (docs/parallel.md).
struct ExecutorOptions: ParsableArguments {
    @Option(help: "Where parallel tasks run: threads, sequential or processes (default: threads). Work that needs shared memory (reading files, training, generating) runs on threads under processes.")
    var backend: String?

    @Option(parsing: .unconditional, help: "Number of parallel workers (0 or 'auto': one per core).")
    var jobs: String = "0"

    func configuration() throws -> ExecutorConfiguration {
        do {
            return try ExecutorConfiguration(backend: backend, jobs: jobs)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
