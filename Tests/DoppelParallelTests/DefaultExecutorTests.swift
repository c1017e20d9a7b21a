import Testing
@testable import DoppelParallel

@Suite struct DefaultExecutorTests {
    @Test func withDefaultSetsTheCurrentExecutorForItsScope() throws {
        #expect(Executor.current.configuration.backend == .threads)
        #expect(Executor.current.jobs == ExecutorConfiguration.availableCores)
        Executor.withDefault(ExecutorConfiguration(backend: .sequential, jobs: 3)) {
            #expect(Executor.current.configuration.backend == .sequential)
            Executor.withDefault(ExecutorConfiguration(backend: .threads, jobs: 2)) {
                #expect(Executor.current.configuration.backend == .threads)
                #expect(Executor.current.jobs == 2)
            }
            // The outer scope is back after the inner one.
            #expect(Executor.current.configuration.backend == .sequential)
        }
        #expect(Executor.current.jobs == ExecutorConfiguration.availableCores)
    }

    @Test func sequentialDefaultRunsTasksInOrderOnTheCallingThread() throws {
        let order = Locked<[Int]>([])
        Executor.withDefault(ExecutorConfiguration(backend: .sequential)) {
            Executor.current.forEach(20) { i in order.withLock { $0.append(i) } }
        }
        #expect(order.withLock { $0 } == Array(0..<20))
    }

    @Test func sharedThreadExecutorsAreKeptPerJobCount() {
        #expect(Executor.sharedThreads(jobs: 2) === Executor.sharedThreads(jobs: 2))
        #expect(Executor.sharedThreads(jobs: 2) !== Executor.sharedThreads(jobs: 1))
        #expect(Executor.sharedThreads(jobs: 2).jobs == 2)
    }
}
