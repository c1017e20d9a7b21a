import Testing
@testable import DoppelQuality

@Suite struct DoppelQualitySmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
