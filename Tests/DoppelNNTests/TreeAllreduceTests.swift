import DoppelParallel
import DoppelTestSupport
import Foundation
import Testing
@testable import DoppelNN

/// ``TreeAllreduce`` over an in-process group of threads (``ThreadProcessGroup``: each thread one
/// rank): every rank ends with the same bits, equal to the balanced tree sum that
/// one process computes.
@Suite struct TreeAllreduceTests {
    /// The one-process tree sum of `parts` (split at `lo + n/2`, like the shards' sum).
    static func treeSum(_ parts: ArraySlice<[Float]>) -> [Float] {
        guard parts.count > 1 else { return parts.first! }
        let middle = parts.startIndex + parts.count / 2
        let left = treeSum(parts[..<middle]), right = treeSum(parts[middle...])
        return zip(left, right).map { $0 + $1 }
    }

    static func run(size: Int, count: Int) throws -> (results: [[Float]], expected: [Float]) {
        var random = SeededRandom(seed: UInt64(size * 1000 + count))
        // Values of very different magnitudes, so that another summation order changes the bits.
        let inputs = (0..<size).map { _ in (0..<count).map { _ in Float(random.nextDouble() - 0.5) * Float(1 << Int(random.next() % 20)) } }
        let results = try ThreadProcessGroup(size: size).run { member in
            var buffer = inputs[member.rank]
            try buffer.withUnsafeMutableBufferPointer { b throws(DistributedError) in try member.sumInTreeOrder(b.baseAddress!, count: count) }
            return buffer
        }
        return (results, treeSum(inputs[...]))
    }

    @Test(arguments: [2, 4, 8]) func everyRankGetsTheOneProcessTreeSum(size: Int) throws {
        for count in [1, 3, 7, 1000, 4099] {
            let (results, expected) = try Self.run(size: size, count: count)
            for (rank, result) in results.enumerated() {
                #expect(result.map(\.bitPattern) == expected.map(\.bitPattern), "rank \(rank) of \(size), \(count) values")
            }
        }
    }

    @Test func theTreeIsNotTheLeftToRightSum() throws {
        // The check above would also pass for a sum that ignores the order if the data did not
        // expose it: make sure it does.
        let (_, expected) = try Self.run(size: 8, count: 4099)
        var random = SeededRandom(seed: UInt64(8 * 1000 + 4099))
        let inputs = (0..<8).map { _ in (0..<4099).map { _ in Float(random.nextDouble() - 0.5) * Float(1 << Int(random.next() % 20)) } }
        let leftToRight = inputs.dropFirst().reduce(inputs[0]) { zip($0, $1).map { $0 + $1 } }
        #expect(leftToRight.map(\.bitPattern) != expected.map(\.bitPattern))
    }

    @Test func aRankCountThatIsNotAPowerOfTwoIsRefused() {
        var buffer: [Float] = [1, 2, 3]
        #expect(throws: DistributedError.self) {
            try buffer.withUnsafeMutableBufferPointer { b throws(DistributedError) in
                try ThreadProcessGroup(size: 3).member(0).sumInTreeOrder(b.baseAddress!, count: 3)
            }
        }
    }
}
