import Testing
@testable import DoppelIO

@Suite struct IOPlaceholder {
    @Test func placeholder() { #expect(Column.int64([1, nil]).nullCount == 1) }
}
