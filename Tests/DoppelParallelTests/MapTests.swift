import Testing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
@testable import DoppelParallel

@Suite struct MapTests {
    @Test(arguments: everyConfiguration)
    func resultsComeBackInTaskOrder(configuration: ExecutorConfiguration) throws {
        let executor = Executor(configuration)
        // Later tasks finish first where they run in parallel.
        let results = try executor.map(24, label: { "task \($0)" }) { index in
            usleep(UInt32((24 - index) * 200))
            return index * 10
        }
        #expect(results == (0..<24).map { $0 * 10 })
        #expect(try executor.map(0, label: { "\($0)" }) { $0 }.isEmpty)
        #expect(try executor.map(1, label: { "\($0)" }) { $0 + 1 } == [1])
    }

    @Test(arguments: everyConfiguration)
    func everyTaskRunsExactlyOnce(configuration: ExecutorConfiguration) throws {
        let executor = Executor(configuration)
        let counter = Counter()
        let results = try executor.map(1000, label: { "task \($0)" }) { index in
            counter.increment()
            return index
        }
        #expect(counter.count == 1000)
        #expect(results == Array(0..<1000))
    }

    @Test func threadsBackendUsesSeveralThreads() throws {
        let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: 4))
        let threads = try executor.map(64, label: { "task \($0)" }) { _ in
            usleep(2_000)
            return currentThread()
        }
        #expect(Set(threads).count > 1)
    }

    @Test func sequentialBackendRunsOnTheCallingThreadInOrder() throws {
        let executor = Executor(ExecutorConfiguration(backend: .sequential, jobs: 4))
        let caller = currentThread()
        let order = Mutex<[Int]>([])
        let threads = try executor.map(16, label: { "task \($0)" }) { index in
            order.withLock { $0.append(index) }
            return currentThread()
        }
        #expect(Set(threads) == [caller])
        #expect(order.withLock { $0 } == Array(0..<16))
    }

    @Test func requiringSequentialOverridesTheCallersThreads() throws {
        let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: 4))
        let caller = currentThread()
        let threads = try executor.map(32, policy: .require(.sequential), label: { "task \($0)" }) { _ in currentThread() }
        #expect(Set(threads) == [caller])
    }

    @Test func closureTasksCannotRequireProcesses() {
        let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: 2))
        #expect(throws: ExecutorError.closureCannotRunInProcesses) {
            try executor.map(4, policy: .require(.processes), label: { "task \($0)" }) { $0 }
        }
    }

    @Test(arguments: everyConfiguration)
    func forEachRangeCoversEveryIndexOnce(configuration: ExecutorConfiguration) {
        let executor = Executor(configuration)
        for n in [0, 1, 7, 1000, 10_007] {
            let counts = HitCounts(n: n)
            executor.forEachRange(n, minimumChunk: 64) { range in
                for i in range { counts.hit(i) }
            }
            #expect(counts.all { $0 == 1 }, "n = \(n)")
        }
    }

    @Test(arguments: [1, 2, 8])
    func mapChunksSplitsIndependentlyOfJobs(jobs: Int) throws {
        let executor = Executor(ExecutorConfiguration(jobs: jobs))
        let ranges = try executor.mapChunks(1000, chunkSize: 300) { $0 }
        #expect(ranges == [0..<300, 300..<600, 600..<900, 900..<1000])
        let sums = try executor.mapChunks(10_000, chunkSize: 128) { range in range.reduce(0.0) { $0 + 1 / Double($1 + 1) } }
        #expect(sums.count == 79)
    }
}

/// One hit counter per index, written with plain (unsynchronised) increments on purpose: the
/// ranges must be disjoint, so there is no race unless the executor hands an index out twice,
/// which the counts (and ThreadSanitizer) would show.
final class HitCounts: @unchecked Sendable {
    private let counts: UnsafeMutablePointer<Int>
    private let n: Int
    init(n: Int) {
        self.n = n
        counts = .allocate(capacity: max(1, n))
        counts.initialize(repeating: 0, count: max(1, n))
    }
    deinit { counts.deallocate() }
    func hit(_ index: Int) { counts[index] += 1 }
    func all(_ predicate: (Int) -> Bool) -> Bool { (0..<n).allSatisfy { predicate(counts[$0]) } }
}

import Dispatch

@Suite struct SharedPoolTests {
    /// Several threads calling the same executor at once share its pool and each get their own results.
    @Test func concurrentCallersGetTheirOwnResults() {
        let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: 3))
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 6) { caller in
            for round in 0..<20 {
                let count = 50 + 97 * ((caller + round) % 7)
                let results = try? executor.map(count, label: { "task \($0)" }) { $0 * caller + round }
                if results != (0..<count).map({ $0 * caller + round }) { failures.increment() }
            }
        }
        #expect(failures.count == 0)
    }
}
