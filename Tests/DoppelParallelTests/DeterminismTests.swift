import Testing
@testable import DoppelParallel

@Suite struct DeterminismTests {
    /// Per-task random streams make results independent of backend, jobs and scheduling.
    @Test func seededTasksGiveTheSameResultsEverywhere() throws {
        func draws(_ configuration: ExecutorConfiguration) throws -> [[UInt64]] {
            try Executor(configuration).map(40, seed: 2024, streamPath: [7], label: { "task \($0)" }) { index, random in
                (0..<(index % 5 + 1)).map { _ in random.next() }
            }
        }
        let reference = try draws(ExecutorConfiguration(backend: .sequential))
        for configuration in everyConfiguration {
            #expect(try draws(configuration) == reference, "\(configuration)")
        }
        // Task 3 drew 4 numbers from the stream (seed, [7, 3]).
        var random = SeededRandom.stream(seed: 2024, [7, 3])
        #expect(reference[3] == (0..<4).map { _ in random.next() })
    }

    @Test(arguments: [1, 2, 8])
    func chunkedReductionIsBitIdenticalAcrossJobs(jobs: Int) throws {
        let executor = Executor(ExecutorConfiguration(jobs: jobs))
        let partials = try executor.mapChunks(100_000, chunkSize: 4096) { range in
            var random = SeededRandom.stream(seed: 5, [UInt64(range.lowerBound)])
            return range.reduce(0.0) { sum, _ in sum + random.nextGaussian() }
        }
        let total = partials.reduce(0, +)
        let sequential = try Executor(ExecutorConfiguration(backend: .sequential)).mapChunks(100_000, chunkSize: 4096) { range in
            var random = SeededRandom.stream(seed: 5, [UInt64(range.lowerBound)])
            return range.reduce(0.0) { sum, _ in sum + random.nextGaussian() }
        }.reduce(0, +)
        #expect(total.bitPattern == sequential.bitPattern)
    }
}
