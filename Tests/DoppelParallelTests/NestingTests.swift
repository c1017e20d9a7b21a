import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import DoppelParallel

@Suite struct NestingTests {
    /// On a 1-worker pool, a task that makes its own parallel call must not wait for a free worker.
    @Test func nestedMapOnOneWorkerPoolFinishesInline() throws {
        let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: 1))
        let results = try executor.map(3, label: { "outer \($0)" }) { outer in
            let taskThread = currentThread()
            let inner = try executor.map(5, label: { "inner \($0)" }) { inner in (outer * 10 + inner, currentThread()) }
            #expect(inner.allSatisfy { $0.1 == taskThread })
            return inner.map(\.0)
        }
        #expect(results == [[0, 1, 2, 3, 4], [10, 11, 12, 13, 14], [20, 21, 22, 23, 24]])
    }

    /// With several workers, nested calls still run on the thread of the task that made them.
    @Test(arguments: [2, 8])
    func nestedCallsRunOnTheCallingTasksThread(jobs: Int) throws {
        let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: jobs))
        let other = Executor(ExecutorConfiguration(backend: .threads, jobs: jobs))
        let inline = try executor.map(16, label: { "outer \($0)" }) { _ in
            let taskThread = currentThread()
            #expect(Executor.isInsideTask)
            let sameExecutor = try executor.map(8, label: { "inner \($0)" }) { _ in currentThread() }
            let otherExecutor = try other.map(8, label: { "inner \($0)" }) { _ in currentThread() }
            let rangeThreads = RangeThreads()
            executor.forEachRange(10_000, minimumChunk: 10) { _ in rangeThreads.add(currentThread()) }
            return (sameExecutor + otherExecutor).allSatisfy { $0 == taskThread } && rangeThreads.distinct == [taskThread]
        }
        #expect(inline.allSatisfy { $0 })
        #expect(!Executor.isInsideTask)
    }

    @Test func nestedFailureIsWrappedWithBothLabels() {
        let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: 2))
        do {
            _ = try executor.map(4, label: { "partition \($0)" }) { outer in
                try executor.map(3, label: { "column c\($0)" }) { inner in
                    if outer == 2 && inner == 1 { throw PlannedFailure(index: inner) }
                    return inner
                }
            }
            Issue.record("expected a failure")
        } catch {
            #expect(String(describing: error) == "task failed (partition 2): task failed (column c1): planned failure at 1")
        }
    }
}

import Synchronization

/// The threads that ran some ranges.
final class RangeThreads: Sendable {
    private let threads = Mutex<Set<UInt>>([])
    func add(_ thread: UInt) { threads.withLock { _ = $0.insert(thread) } }
    var distinct: Set<UInt> { threads.withLock { $0 } }
}

@Suite struct OneAtATimeTests {
    /// A task that runs alone (sequential backend) may still use the workers for its own calls.
    @Test func sequentialTasksLeaveTheirInnerCallsParallel() throws {
        let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: 4))
        let outer = try executor.map(2, policy: .require(.sequential), label: { "outer \($0)" }) { _ in
            #expect(!Executor.isInsideTask)
            return try executor.map(64, label: { "inner \($0)" }) { _ in
                usleep(1_000)
                return currentThread()
            }
        }
        #expect(outer.allSatisfy { Set($0).count > 1 })
    }
}
