#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The worker side of the processes backend.
///
/// An executable that may be started as a worker (the `doppel` CLI) registers its tasks with
/// ``TaskRegistry`` and then calls ``runIfRequested()`` first thing in `main`.
public enum WorkerProcess {
    /// Set by the parent in a worker's environment: the file descriptor of its socket to the parent.
    public static let environmentKey = "DOPPEL_WORKER_FD"

    /// If this process was started as a worker, serves task requests until the parent closes the
    /// connection and then exits; otherwise returns at once.
    public static func runIfRequested() {
        guard let value = getenv(environmentKey), let descriptor = Int32(String(cString: value)) else { return }
        // Processes this worker starts itself must not take themselves for workers.
        unsetenv(environmentKey)
        exit(serve(FrameChannel(descriptor: descriptor)))
    }

    /// The request loop: answers each request with a response frame, in order. Returns the exit status.
    static func serve(_ channel: FrameChannel) -> Int32 {
        // Tasks run as tasks: their own parallel calls run inline (the parent owns the parallelism).
        WorkerContext.markThreadAsWorker()
        do {
            try channel.send(WorkerMessages.greeting)
            while let frame = try channel.receive() {
                try channel.send(answer(frame))
            }
            return 0
        } catch {
            let message = Array("doppel worker \(getpid()): \(error)\n".utf8)
            _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            return 1
        }
    }

    private static func answer(_ frame: [UInt8]) -> [UInt8] {
        guard let request = WorkerMessages.parseRequest(frame) else {
            return WorkerMessages.response(.badRequest, Array("malformed request".utf8))
        }
        guard let task = TaskRegistry.task(named: request.task) else {
            return WorkerMessages.response(.unknownTask, Array(request.task.utf8))
        }
        do {
            return WorkerMessages.response(.success, try task.runEncoded(request.descriptor))
        } catch let error as BadDescriptor {
            return WorkerMessages.response(.badRequest, Array(error.message.utf8))
        } catch {
            return WorkerMessages.response(.taskThrew, Array(String(describing: error).utf8))
        }
    }
}
