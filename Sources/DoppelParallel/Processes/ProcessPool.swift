#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parent side of the processes backend: up to `size` worker processes, started on first use
/// and kept between calls; one call at a time (concurrent calls wait for each other).
///
/// The calling thread drives the call with `poll`: it sends the next descriptor to each idle
/// worker, and collects responses as they arrive into slots in task order. A worker whose socket
/// closes while it runs a task has crashed: the call fails with that task's label; busy workers
/// are then killed (their tasks are cancelled) and idle ones kept.
final class ProcessPool: Sendable {
    let executable: String
    let size: Int
    private let idleWorkers = Locked<[WorkerHandle]>([])

    init(executable: String, size: Int) {
        self.executable = executable
        self.size = max(1, size)
    }

    /// This process's executable (`/proc/self/exe`, else `argv[0]`).
    static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return CommandLine.arguments.first ?? "doppel"
    }

    func map<D: Encodable, R: Decodable>(
        _ taskName: String,
        descriptors: [D],
        label: (Int) -> String,
        as resultType: R.Type
    ) throws -> [R] {
        let requests = try TaskCoding.encodeDescriptors(descriptors, label: label).map { WorkerMessages.request(task: taskName, descriptor: $0) }
        let outcome = try idleWorkers.withLock { idle throws(WorkerProcessError) in
            try dispatch(requests, taskName: taskName, idle: &idle)
        }
        switch outcome {
        case .failed(let index, let error):
            throw TaskFailure(label: label(index), index: index, underlying: error)
        case .completed(let encodedResults):
            return try TaskCoding.decodeResults(encodedResults, as: R.self, label: label)
        }
    }

    private enum Outcome: Sendable {
        case completed([[UInt8]])
        case failed(index: Int, error: WorkerProcessError)
    }

    private func dispatch(_ requests: [[UInt8]], taskName: String, idle: inout [WorkerHandle]) throws(WorkerProcessError) -> Outcome {
        idle.removeAll { $0.hasExited }
        let wanted = min(size, requests.count)
        while idle.count < wanted { idle.append(try WorkerHandle.spawn(executable)) }

        var results = [[UInt8]?](repeating: nil, count: requests.count)
        var nextTask = 0
        var failure: (index: Int, error: WorkerProcessError)?
        var busy: [(worker: WorkerHandle, task: Int)] = []
        var ready: [WorkerHandle] = []

        func recordFailure(_ index: Int, _ error: WorkerProcessError) {
            if failure == nil || index < failure!.index { failure = (index, error) }
        }
        /// Gives `worker` the next task, or parks it as ready when none is left.
        func assign(_ worker: WorkerHandle) {
            guard failure == nil, nextTask < requests.count else {
                ready.append(worker)
                return
            }
            let task = nextTask
            nextTask += 1
            do {
                try worker.channel.send(requests[task])
                busy.append((worker, task))
            } catch {
                worker.kill()
                recordFailure(task, .crashed(pid: worker.pid, how: worker.reap()))
            }
        }

        let starting = idle
        idle = []
        starting.prefix(wanted).forEach(assign)
        ready.append(contentsOf: starting.dropFirst(wanted))

        while !busy.isEmpty {
            var entries = busy.map { pollfd(fd: $0.worker.channel.descriptor, events: Int16(POLLIN), revents: 0) }
            let count = poll(&entries, nfds_t(entries.count), -1)
            if count < 0 {
                if errno == EINTR { continue }
                throw .protocolViolation("poll failed: \(String(cString: strerror(errno)))")
            }
            let answered = busy.indices.filter { entries[$0].revents != 0 }.map { busy[$0] }
            busy = busy.indices.filter { entries[$0].revents == 0 }.map { busy[$0] }
            for (worker, task) in answered {
                guard let frame = try? worker.channel.receive() else {
                    // End of file or a broken frame while running a task: the worker crashed.
                    worker.kill()
                    recordFailure(task, .crashed(pid: worker.pid, how: worker.reap()))
                    continue
                }
                switch WorkerMessages.parseResponse(frame, task: taskName) {
                case .success(let bytes): results[task] = bytes
                case .failure(let error): recordFailure(task, error)
                }
                assign(worker)
            }
            if failure != nil {
                // Cancel the tasks still running: their results would be thrown away.
                for (worker, _) in busy {
                    worker.kill()
                    _ = worker.reap()
                }
                busy = []
            }
        }
        idle = ready
        if let failure { return .failed(index: failure.index, error: failure.error) }
        return .completed(results.map { $0 ?? [] })
    }
}
