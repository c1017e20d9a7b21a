import Testing
@testable import DoppelModel

@Suite struct DoppelModelSmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
