import Testing
@testable import DoppelParallel

@Suite struct ConfigurationTests {
    @Test func parsesBackendNamesIgnoringCaseAndSpaces() throws {
        #expect(try Backend(parsing: "threads") == .threads)
        #expect(try Backend(parsing: " Processes ") == .processes)
        #expect(try Backend(parsing: "SEQUENTIAL") == .sequential)
        #expect(try Backend(parsing: "Dask") == .dask)
        #expect(try Backend(parsing: "spark") == .spark)
        #expect(Backend.dask.isCluster && Backend.spark.isCluster && !Backend.processes.isCluster)
    }

    @Test func unknownBackendNamesTheValueAndTheChoices() {
        #expect(throws: ConfigurationError.unknownBackend("gpu")) { try Backend(parsing: "gpu") }
        #expect(ConfigurationError.unknownBackend("gpu").description == "unknown backend 'gpu': expected one of threads, sequential, processes, dask, spark")
    }

    @Test func parsesJobs() throws {
        #expect(try ExecutorConfiguration.parseJobs("4") == 4)
        #expect(try ExecutorConfiguration.parseJobs("0") == 0)
        #expect(try ExecutorConfiguration.parseJobs("auto") == 0)
        #expect(throws: ConfigurationError.invalidJobs("-1")) { try ExecutorConfiguration.parseJobs("-1") }
        #expect(throws: ConfigurationError.invalidJobs("two")) { try ExecutorConfiguration.parseJobs("two") }
        #expect(throws: ConfigurationError.tooManyJobs("5000")) { try ExecutorConfiguration.parseJobs("5000") }
        #expect(ConfigurationError.invalidJobs("two").description.contains("'two'"))
    }

    @Test func defaultsAreNoBackendChoiceAndAllCores() throws {
        let configuration = try ExecutorConfiguration(backend: nil, jobs: "")
        #expect(configuration.backend == nil)
        #expect(configuration.jobs == 0)
        #expect(configuration.resolvedJobs == ExecutorConfiguration.availableCores)
        #expect(Executor(configuration).backend(for: .any) == .threads)
        let explicit = try ExecutorConfiguration(backend: "sequential", jobs: "3")
        #expect(explicit == ExecutorConfiguration(backend: .sequential, jobs: 3))
    }

    /// The documented rule: a caller's choice wins over a preference, a requirement wins over the caller.
    @Test(arguments: [nil] + Backend.allCases.map(Optional.some))
    func policyResolution(caller: Backend?) {
        for task in Backend.allCases {
            #expect(BackendPolicy.require(task).resolve(callerChoice: caller) == task)
            #expect(BackendPolicy.prefer(task).resolve(callerChoice: caller) == (caller ?? task))
        }
        #expect(BackendPolicy.any.resolve(callerChoice: caller) == (caller ?? .threads))
    }
}
