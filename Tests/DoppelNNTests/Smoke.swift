import Testing
@testable import DoppelNN

@Suite struct DoppelNNSmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
