import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The worker side of the `dask` and `spark` backends: `doppel __task NAME` runs the registered
/// task `NAME` once on the JSON descriptor read from standard input, writes the JSON result to
/// standard output and exits (status 1 with the task's error on standard error). Nested parallel
/// calls inside it run inline: the cluster owns the parallelism, and a task never waits for
/// another task, so even a one-worker cluster cannot deadlock.
public enum OneShotTask {
    /// The command-line word that selects this mode.
    public static let command = "__task"

    /// If the arguments are `__task NAME`, runs the task and exits; otherwise returns at once.
    /// `version` is this executable's; a driver of another version (`DOPPEL_DRIVER_VERSION`) is
    /// refused, so mismatched workers fail with a clear message instead of misreading descriptors.
    public static func runIfRequested(version: String) {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, arguments[1] == command else { return }
        if let driver = getenv("DOPPEL_DRIVER_VERSION").map({ String(cString: $0) }), driver != version {
            fail("this worker's doppel is version \(version), the driver's is \(driver): install the same version on every worker (or use --ship-binary)")
        }
        guard let task = TaskRegistry.task(named: arguments[2]) else { fail("no task named '\(arguments[2])' in this doppel \(version)") }
        WorkerContext.markThreadAsWorker()
        var input: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(0, &buffer, buffer.count)
            if count <= 0 { break }
            input += buffer[0..<count]
        }
        do {
            let output = try task.runEncoded(input)
            var offset = 0
            while offset < output.count {
                let written = output[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
                guard written > 0 else { fail("cannot write the result") }
                offset += written
            }
            exit(0)
        } catch let error as BadDescriptor {
            fail(error.message)
        } catch {
            fail(String(describing: error))
        }
    }

    private static func fail(_ message: String) -> Never {
        let bytes = Array("\(message)\n".utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(1)
    }
}
