import Testing
@testable import Doppel

@Suite struct DoppelPlaceholder {
    @Test func placeholder() { #expect(Column.int64([1, nil]).nullCount == 1) }
}
