import Testing
@testable import DoppelTable

@Suite struct TableTests {
    @Test func placeholder() { #expect(Column.int64([1, nil]).nullCount == 1) }
}
