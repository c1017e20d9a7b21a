import Testing
@testable import DoppelParallel

@Suite struct SeededRandomTests {
    @Test func sameSeedSameStream() {
        var a = SeededRandom.stream(seed: 42, [1, 2]), b = SeededRandom.stream(seed: 42, [1, 2])
        #expect((0..<8).map { _ in a.next() } == (0..<8).map { _ in b.next() })
    }

    @Test func distinctPathsDiffer() {
        var a = SeededRandom.stream(seed: 42, [1, 2]), b = SeededRandom.stream(seed: 42, [2, 1])
        #expect(a.next() != b.next())
    }

    @Test func uniformStaysInRangeAndCoversIt() {
        var r = SeededRandom(seed: 7)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let v = r.uniform(below: 10)
            #expect(v >= 0 && v < 10)
            seen.insert(v)
        }
        #expect(seen.count == 10)
    }

    @Test func permutationIsAPermutation() {
        var r = SeededRandom(seed: 1)
        let p = r.permutation(100)
        #expect(p.sorted() == Array(0..<100))
        #expect(p != Array(0..<100))
    }

    @Test func doublesAreInUnitIntervalWithPlausibleMean() {
        var r = SeededRandom(seed: 3)
        let xs = (0..<10_000).map { _ in r.nextDouble() }
        #expect(xs.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = xs.reduce(0, +) / Double(xs.count)
        #expect(abs(mean - 0.5) < 0.02)
    }
}
