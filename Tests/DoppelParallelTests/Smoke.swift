import Testing
@testable import DoppelParallel

@Suite struct DoppelParallelSmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
