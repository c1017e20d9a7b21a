import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import DoppelParallel

@Suite struct FailureTests {
    @Test(arguments: everyConfiguration)
    func thrownErrorSurfacesOnceWithItsLabelAndStopsTheRest(configuration: ExecutorConfiguration) {
        let executor = Executor(configuration)
        let executed = Counter()
        let failing = 10
        do {
            _ = try executor.map(1000, label: { "partition \($0), column 'age'" }) { index in
                executed.increment()
                if index == failing { throw PlannedFailure(index: index) }
                // Later tasks take a while, so that cancellation has something left to stop even
                // when the failing task's thread is descheduled on a busy machine.
                if index > failing { usleep(1000) }
                return index
            }
            Issue.record("expected a failure")
        } catch let failure as TaskFailure {
            #expect(failure.index == failing)
            #expect(failure.label == "partition 10, column 'age'")
            #expect(failure.underlying is PlannedFailure)
            #expect(failure.description == "task failed (partition 10, column 'age'): planned failure at 10")
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
        // Tasks claimed before the failure was recorded may still run (how many depends on
        // scheduling), but the rest are cancelled; one worker stops right at the failure.
        let workers = configuration.backend == .sequential ? 1 : configuration.resolvedJobs
        #expect(executed.count < 1000)
        if workers == 1 { #expect(executed.count == failing + 1) }
    }

    @Test func lowestFailingIndexIsReportedWhenSeveralFail() {
        let executor = Executor(ExecutorConfiguration(backend: .sequential))
        #expect {
            try executor.map(20, label: { "task \($0)" }) { index in
                if index >= 5 { throw PlannedFailure(index: index) }
                return index
            }
        } throws: { error in
            (error as? TaskFailure)?.index == 5
        }
    }

    @Test func executorStaysUsableAfterAFailure() throws {
        let executor = Executor(ExecutorConfiguration(backend: .threads, jobs: 2))
        #expect(throws: TaskFailure.self) {
            try executor.map(50, label: { "task \($0)" }) { index in
                if index == 3 { throw PlannedFailure(index: index) }
                return index
            }
        }
        #expect(try executor.map(50, label: { "task \($0)" }) { $0 } == Array(0..<50))
    }
}
