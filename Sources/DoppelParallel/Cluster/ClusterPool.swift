import Foundation

/// One task process for a cluster: the doppel executable on a worker with `argv`, `stdin` on
/// its standard input; its standard output is the task's result.
public struct ClusterCommand: Encodable, Sendable {
    /// Names the task in the cluster's dashboard.
    public var name: String
    public var argv: [String]
    public var stdin: String

    public init(name: String, argv: [String], stdin: String = "") {
        self.name = name
        self.argv = argv
        self.stdin = stdin
    }
}

/// The driver side of the `dask` and `spark` backends: runs named tasks (and whole doppel
/// commands) as doppel processes on a cluster's workers, through the Python adapter
/// (``ClusterAdapterSource``) that this pool starts once and keeps for its lifetime.
///
/// Only task descriptors (JSON: paths, column names) and small JSON results cross the adapter
/// and the scheduler; the tasks read and write the workspace on storage that every worker sees.
/// Results come back in task order. A task that fails (the doppel process exits non-zero) stops
/// the call with its label and the engine's message; a worker lost while running a task is the
/// cluster's business (Dask and Spark run the task again elsewhere; outputs are written
/// atomically, so a repeated task leaves the same files).
final class ClusterPool: @unchecked Sendable {
    let backend: Backend
    let configuration: ClusterConfiguration
    private let lock = NSLock()
    private var adapter: Adapter?

    init(backend: Backend, configuration: ClusterConfiguration) {
        self.backend = backend
        self.configuration = configuration
    }

    deinit { adapter?.stop() }

    /// Runs the registered task `taskName` on every descriptor on the cluster.
    func map<D: Encodable, R: Decodable>(_ taskName: String, descriptors: [D], label: (Int) -> String, as: R.Type) throws -> [R] {
        let commands = try TaskCoding.encodeDescriptors(descriptors, label: label).map {
            ClusterCommand(name: taskName, argv: [OneShotTask.command, taskName], stdin: String(decoding: $0, as: UTF8.self))
        }
        let outputs = try run(commands, label: label)
        return try TaskCoding.decodeResults(outputs.map { Array($0.utf8) }, as: R.self, label: label)
    }

    /// Runs `commands` on the cluster; returns their standard outputs in order.
    func run(_ commands: [ClusterCommand], label: (Int) -> String) throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        let adapter = try startedAdapter()
        let reply: Adapter.Reply
        do {
            reply = try adapter.request(commands)
        } catch {
            self.adapter = nil
            throw error
        }
        if reply.ok { return reply.results ?? [] }
        if let index = reply.index {
            throw TaskFailure(label: label(index), index: index, underlying: WorkerProcessError.taskThrew(message: reply.message ?? "failed"))
        }
        throw ClusterError("\(backend): \(reply.message ?? "the cluster failed")")
    }

    /// What the adapter said when it connected, e.g. "Dask 2026.8.0 at tcp://…, 2 worker(s)".
    func connect() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        return try startedAdapter().engine
    }

    /// Tasks the cluster runs at once (Dask: its workers' threads; Spark: the default parallelism).
    func slots() throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        return try startedAdapter().slots
    }

    private func startedAdapter() throws -> Adapter {
        if let adapter, adapter.isRunning { return adapter }
        let started = try Adapter(backend: backend, configuration: configuration)
        adapter = started
        return started
    }

    /// The adapter process and its line-based JSON channel.
    final class Adapter {
        struct Reply: Decodable {
            var ok: Bool
            var engine: String?
            var slots: Int?
            var results: [String]?
            var index: Int?
            var message: String?
        }

        private let process = Process()
        private let input = Pipe(), output = Pipe()
        private let log: URL
        private var buffer: [UInt8] = []
        let engine: String
        /// Tasks the cluster runs at once (its workers' threads).
        let slots: Int

        init(backend: Backend, configuration: ClusterConfiguration) throws {
            var settings: [String: Any] = ["engine": backend.rawValue, "address": configuration.address,
                                           "timeout": configuration.connectTimeout, "version": configuration.driverVersion]
            if let binary = configuration.workerBinary { settings["binary"] = binary }
            if configuration.shipBinary { settings["ship"] = ProcessPool.currentExecutable }
            let settingsText = String(decoding: try JSONSerialization.data(withJSONObject: settings), as: UTF8.self)
            log = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-cluster-\(getpid())-\(UUID().uuidString).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [configuration.python, "-c", ClusterAdapterSource.python, settingsText]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = try FileHandle(forWritingTo: log)
            do { try process.run() } catch {
                throw ClusterError("\(backend): cannot start \(configuration.python) for the cluster adapter: \(error)")
            }
            let hello: Reply
            do { hello = try Self.readReply(output, &buffer) } catch {
                process.waitUntilExit()
                throw ClusterError("\(backend): the cluster adapter (\(configuration.python)) ended before connecting: \(Self.tail(log))")
            }
            guard hello.ok, let engine = hello.engine else {
                process.waitUntilExit()
                throw ClusterError("\(backend): \(hello.message ?? "the adapter could not connect")")
            }
            self.engine = engine
            slots = hello.slots ?? 1
        }

        var isRunning: Bool { process.isRunning }

        func request(_ commands: [ClusterCommand]) throws -> Reply {
            var line = try JSONEncoder().encode(["tasks": commands])
            line.append(UInt8(ascii: "\n"))
            do {
                try input.fileHandleForWriting.write(contentsOf: line)
                return try Self.readReply(output, &buffer)
            } catch {
                stop()
                throw ClusterError("the cluster adapter ended while running tasks: \(Self.tail(log))")
            }
        }

        func stop() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
        }

        private static func readReply(_ pipe: Pipe, _ buffer: inout [UInt8]) throws -> Reply {
            while true {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(buffer[..<newline])
                    buffer.removeSubrange(...newline)
                    return try JSONDecoder().decode(Reply.self, from: Data(line))
                }
                let chunk = pipe.fileHandleForReading.availableData
                guard !chunk.isEmpty else { throw ClusterError("end of output") }
                buffer += chunk
            }
        }

        /// The last lines the adapter wrote to standard error, for error messages.
        private static func tail(_ log: URL) -> String {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n").suffix(8)
            return lines.isEmpty ? "(no output)" : lines.joined(separator: "\n")
        }
    }
}
