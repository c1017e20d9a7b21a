/// The one error a failing parallel call throws: which task failed (its label, e.g.
/// `partition 3, column 'age'`) and why. Other tasks of the call were cancelled.
public struct TaskFailure: Error, CustomStringConvertible {
    /// The failing task's label, as given by the caller.
    public let label: String
    /// The failing task's index in the call.
    public let index: Int
    /// What went wrong: the task's own error, or a ``WorkerProcessError``.
    public let underlying: any Error

    public init(label: String, index: Int, underlying: any Error) {
        self.label = label
        self.index = index
        self.underlying = underlying
    }

    public var description: String { "task failed (\(label)): \(underlying)" }
}

/// Failures of the processes backend itself (as opposed to a task's own error).
public enum WorkerProcessError: Error, Equatable, CustomStringConvertible {
    /// The worker executable could not be started.
    case startFailed(executable: String, reason: String)
    /// The executable started but did not greet as a Doppel worker (it does not call
    /// ``WorkerProcess/runIfRequested()`` first thing).
    case notAWorker(executable: String)
    /// The worker process died while running a task (`how` says how: signal or exit status).
    case crashed(pid: Int32, how: String)
    /// The task threw inside the worker process; `message` is its error's description.
    case taskThrew(message: String)
    /// The worker does not know the task name.
    case unknownTask(name: String)
    /// A malformed message on the pipe.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .startFailed(let executable, let reason): "could not start worker process '\(executable)': \(reason)"
        case .notAWorker(let executable): "'\(executable)' did not start as a Doppel worker process (it must call WorkerProcess.runIfRequested() first thing in main)"
        case .crashed(let pid, let how): "worker process \(pid) crashed: \(how)"
        case .taskThrew(let message): message
        case .unknownTask(let name): "the worker process has no task named '\(name)'"
        case .protocolViolation(let detail): "worker protocol error: \(detail)"
        }
    }
}

/// Misuse of the executor that does not depend on the data (named tasks, backend requirements).
public enum ExecutorError: Error, Equatable, CustomStringConvertible {
    /// No task with this name is registered in this process.
    case unknownTask(name: String)
    /// The task is registered with other descriptor or result types.
    case taskTypeMismatch(name: String, registered: String, requested: String)
    /// A closure task requires the processes backend, which only runs registered, named tasks.
    case closureCannotRunInProcesses

    public var description: String {
        switch self {
        case .unknownTask(let name): "no task named '\(name)' is registered (TaskRegistry.register)"
        case .taskTypeMismatch(let name, let registered, let requested):
            "task '\(name)' is registered as \(registered) but was called as \(requested)"
        case .closureCannotRunInProcesses:
            "a closure task cannot require the processes backend: register a named task and call mapTask"
        }
    }
}
