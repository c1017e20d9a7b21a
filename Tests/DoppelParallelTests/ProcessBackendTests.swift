import DoppelTestSupport
import Foundation
import Testing
import doppel_worker_fixture
@testable import DoppelParallel

@Suite(.enabled(if: Fixture.executable != nil, Fixture.missingMessage))
struct ProcessBackendTests {
    init() { FixtureTasks.registerAll() }

    @Test func resultsEqualThoseOfThreadsAndSequential() throws {
        let draws = (0..<30).map { FixtureTasks.RandomDraw(seed: 99, index: $0, draws: 100 + $0) }
        var outputs: [[Double]] = []
        for configuration in [Fixture.configuration(jobs: 3), ExecutorConfiguration(backend: .threads, jobs: 3), ExecutorConfiguration(backend: .sequential)] {
            outputs.append(try Executor(configuration).mapTask("random-sum", descriptors: draws, label: { "draw \($0)" }, as: Double.self))
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
        let squares = try Executor(Fixture.configuration(jobs: 2)).mapTask("square", descriptors: Array(0..<100), label: { "item \($0)" }, as: Int.self)
        #expect(squares == (0..<100).map { $0 * $0 })
    }

    @Test func workersRunInOtherProcessesAndAreReusedAcrossCalls() throws {
        let executor = Executor(Fixture.configuration(jobs: 2))
        let first = try executor.mapTask("process-id", descriptors: Array(0..<20), label: { "item \($0)" }, as: Int32.self)
        let second = try executor.mapTask("process-id", descriptors: Array(0..<20), label: { "item \($0)" }, as: Int32.self)
        #expect(!first.contains(getpid()))
        #expect(Set(first).count <= 2)
        #expect(Set(second).isSubset(of: Set(first)))
    }

    @Test func workersMemoryMapFilesGivenByPath() throws {
        let directory = try TestSupport.temporaryDirectory("doppel-parallel")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("part-000000.bin").path
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let slices = stride(from: 0, to: bytes.count, by: 30_000).map {
            FixtureTasks.FileSlice(path: path, offset: $0, length: min(30_000, bytes.count - $0))
        }
        let sums = try Executor(Fixture.configuration(jobs: 2)).mapTask("sum-file-bytes", descriptors: slices, label: { "slice \($0)" }, as: Int.self)
        #expect(sums == slices.map { slice in bytes[slice.offset..<slice.offset + slice.length].reduce(0) { $0 + Int($1) } })
    }

    @Test func crashedWorkerGivesAClearErrorNamingTheTask() throws {
        let executor = Executor(Fixture.configuration(jobs: 2))
        do {
            _ = try executor.mapTask("crash-on-13", descriptors: Array(0..<40), label: { "partition \($0), column 'age'" }, as: Int.self)
            Issue.record("expected a failure")
        } catch let failure as TaskFailure {
            #expect(failure.label == "partition 13, column 'age'")
            guard case .crashed(_, let how) = failure.underlying as? WorkerProcessError else {
                Issue.record("unexpected underlying error: \(failure.underlying)")
                return
            }
            #expect(how.contains("SIGABRT"))
            #expect(failure.description.hasPrefix("task failed (partition 13, column 'age'): worker process "))
        }
        // The pool replaces the dead worker: the next call works.
        #expect(try executor.mapTask("square", descriptors: [1, 2, 3], label: { "item \($0)" }, as: Int.self) == [1, 4, 9])
    }

    @Test func tasksAfterACrashAreCancelled() throws {
        let directory = try TestSupport.temporaryDirectory("doppel-parallel")
        defer { try? FileManager.default.removeItem(at: directory) }
        let markers = (0..<40).map { FixtureTasks.Marker(directory: directory.path, index: $0) }
        #expect(throws: TaskFailure.self) {
            try Executor(Fixture.configuration(jobs: 2)).mapTask("mark-then-crash-on-5", descriptors: markers, label: { "marker \($0)" }, as: Int.self)
        }
        // Tasks 0...5, plus what the other worker had started when the crash was seen.
        let ran = try FileManager.default.contentsOfDirectory(atPath: directory.path).compactMap(Int.init)
        #expect(ran.contains(5))
        #expect(ran.count <= 8)
    }

    @Test func errorThrownInAWorkerPropagatesWithItsMessage() throws {
        let executor = Executor(Fixture.configuration(jobs: 2))
        #expect {
            try executor.mapTask("reject-7", descriptors: Array(0..<20), label: { "item \($0)" }, as: Int.self)
        } throws: { error in
            guard let failure = error as? TaskFailure else { return false }
            return failure.label == "item 7" && failure.underlying as? WorkerProcessError == .taskThrew(message: "value 7 rejected")
                && failure.description == "task failed (item 7): value 7 rejected"
        }
        #expect(try executor.mapTask("reject-7", descriptors: [1, 2], label: { "item \($0)" }, as: Int.self) == [1, 2])
    }

    @Test func unknownTaskAndWrongTypesAreReported() {
        let processes = Executor(Fixture.configuration(jobs: 1))
        #expect(throws: TaskFailure.self) {
            try processes.mapTask("no-such-task", descriptors: [1], label: { "item \($0)" }, as: Int.self)
        }
        let threads = Executor(ExecutorConfiguration(backend: .threads, jobs: 2))
        #expect(throws: ExecutorError.unknownTask(name: "no-such-task")) {
            try threads.mapTask("no-such-task", descriptors: [1], label: { "item \($0)" }, as: Int.self)
        }
        #expect(throws: ExecutorError.taskTypeMismatch(name: "square", registered: "(Int) -> Int", requested: "(String) -> Int")) {
            try threads.mapTask("square", descriptors: ["x"], label: { "item \($0)" }, as: Int.self)
        }
    }

    @Test func executableThatIsNotAWorkerIsRejected() {
        let notAWorker = Executor(ExecutorConfiguration(backend: .processes, jobs: 1, workerExecutable: "/bin/true"))
        #expect(throws: WorkerProcessError.notAWorker(executable: "/bin/true")) {
            try notAWorker.mapTask("square", descriptors: [1], label: { "item \($0)" }, as: Int.self)
        }
        let missing = Executor(ExecutorConfiguration(backend: .processes, jobs: 1, workerExecutable: "/nonexistent/doppel"))
        #expect(throws: WorkerProcessError.startFailed(executable: "/nonexistent/doppel", reason: "No such file or directory")) {
            try missing.mapTask("square", descriptors: [1], label: { "item \($0)" }, as: Int.self)
        }
    }

    @Test func namedTaskCalledFromInsideATaskRunsInline() throws {
        let executor = Executor(Fixture.configuration(jobs: 2))
        let nested = try Executor(ExecutorConfiguration(backend: .threads, jobs: 2)).map(4, label: { "outer \($0)" }) { outer in
            try executor.mapTask("process-id", descriptors: [outer], label: { "inner \($0)" }, as: Int32.self)[0]
        }
        #expect(nested == [Int32](repeating: getpid(), count: 4))
    }
}
