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

/// A running worker process and the parent's end of its socket.
final class WorkerHandle: Sendable {
    let pid: pid_t
    let channel: FrameChannel
    private let exitDescription = Locked<String?>(nil)

    private init(pid: pid_t, channel: FrameChannel) {
        self.pid = pid
        self.channel = channel
    }

    /// Closing the socket makes an idle worker leave its request loop and exit.
    deinit {
        close(channel.descriptor)
        _ = reap()
    }

    /// Starts `executable` as a worker (socket on descriptor 3, stdin from /dev/null, stdout to
    /// our stderr so that stray prints cannot corrupt the protocol) and waits for its greeting.
    static func spawn(_ executable: String) throws(WorkerProcessError) -> WorkerHandle {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw .startFailed(executable: executable, reason: "socketpair: \(String(cString: strerror(errno)))")
        }
        // Keep the child's end away from 0...3, so that the dup2 to 3 below always clears close-on-exec.
        let childEnd = fcntl(pair[1], F_DUPFD_CLOEXEC, Int32(10))
        close(pair[1])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        posix_spawn_file_actions_adddup2(&actions, childEnd, 3)

        var environment = ProcessInfo.processInfo.environment
        environment[WorkerProcess.environmentKey] = "3"
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup(executable), nil]
        let variables: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            arguments.forEach { free($0) }
            variables.forEach { free($0) }
        }
        var pid = pid_t()
        let status = posix_spawn(&pid, executable, &actions, nil, arguments, variables)
        // Only the child may hold its end: then the parent sees end of file when the child exits.
        close(childEnd)
        guard status == 0 else {
            close(pair[0])
            throw .startFailed(executable: executable, reason: String(cString: strerror(status)))
        }
        let worker = WorkerHandle(pid: pid, channel: FrameChannel(descriptor: pair[0]))
        guard worker.waitReadable(milliseconds: 30_000), (try? worker.channel.receive()) == WorkerMessages.greeting else {
            worker.kill()
            throw .notAWorker(executable: executable)
        }
        return worker
    }

    /// Whether the process has already exited (reaps it if so).
    var hasExited: Bool {
        exitDescription.withLock { description in
            if description != nil { return true }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return false }
            description = Self.describe(status: status)
            return true
        }
    }

    func kill() { _ = Glibc.kill(pid, SIGKILL) }

    /// Waits for the process to end (killing it if it is still alive after `graceMilliseconds`)
    /// and says how it ended.
    func reap(graceMilliseconds: Int = 2_000) -> String {
        for _ in 0..<graceMilliseconds {
            if hasExited { break }
            usleep(1_000)
        }
        return exitDescription.withLock { description in
            if let description { return description }
            _ = Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let text = "did not exit; " + Self.describe(status: status)
            description = text
            return text
        }
    }

    /// Blocks until the socket has data (or is closed), at most `milliseconds`.
    private func waitReadable(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: channel.descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&entry, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }

    /// A `waitpid` status in words (Linux encoding: low 7 bits signal, next byte exit status).
    static func describe(status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "exited with status \((status >> 8) & 0xFF)" }
        if signal == 0x7F { return "stopped" }
        return "killed by signal \(signal) (\(signalName(signal)))"
    }

    private static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGABRT: "SIGABRT"
        case SIGSEGV: "SIGSEGV"
        case SIGBUS: "SIGBUS"
        case SIGILL: "SIGILL"
        case SIGFPE: "SIGFPE"
        case SIGKILL: "SIGKILL, e.g. out of memory"
        case SIGTERM: "SIGTERM"
        case SIGTRAP: "SIGTRAP, e.g. a Swift runtime trap"
        default: String(cString: strsignal(signal))
        }
    }
}
