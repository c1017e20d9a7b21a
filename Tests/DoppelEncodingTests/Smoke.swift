import Testing
@testable import DoppelEncoding

@Suite struct DoppelEncodingSmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
