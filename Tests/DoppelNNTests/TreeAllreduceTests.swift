import DoppelParallel
import Foundation
import Testing
@testable import DoppelNN

/// ``TreeAllreduce`` over an in-process group of threads (each thread one rank, messages through
/// shared mailboxes): every rank ends with the same bits, equal to the balanced tree sum that
/// one process computes.
@Suite struct TreeAllreduceTests {
    /// Ranks as threads of this process; `exchange` hands buffers over through mailboxes.
    final class ThreadGroup: @unchecked Sendable {
        let size: Int
        private let condition = NSCondition()
        private var mailbox: [Int: [Float]] = [:]  // key: from * size + to

        init(size: Int) { self.size = size }

        func member(_ rank: Int) -> Member { Member(rank: rank, group: self) }

        func exchange(from rank: Int, to partner: Int, send: [Float]) -> [Float] {
            condition.lock()
            defer { condition.unlock() }
            while mailbox[rank * size + partner] != nil { condition.wait() }
            mailbox[rank * size + partner] = send
            condition.broadcast()
            while mailbox[partner * size + rank] == nil { condition.wait() }
            let received = mailbox.removeValue(forKey: partner * size + rank)!
            condition.broadcast()
            return received
        }

        struct Member: ProcessGroup {
            let rank: Int
            let group: ThreadGroup
            var size: Int { group.size }
            func exchange(partner: Int, send: UnsafePointer<Float>, count: Int, receive: UnsafeMutablePointer<Float>, count receiveCount: Int) {
                let received = group.exchange(from: rank, to: partner, send: Array(UnsafeBufferPointer(start: send, count: count)))
                precondition(received.count == receiveCount, "message sizes disagree")
                receive.update(from: received, count: receiveCount)
            }
            func sumContributions(_ buffer: UnsafeMutablePointer<Double>, count: Int) {}
            func broadcast(_ bytes: inout [UInt8]) {}
        }
    }

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
        let group = ThreadGroup(size: size)
        let outcome = Outcome(size: size)
        let done = DispatchGroup()
        for rank in 0..<size {
            done.enter()
            Thread {
                var buffer = inputs[rank]
                do {
                    try buffer.withUnsafeMutableBufferPointer { b throws(DistributedError) in
                        try group.member(rank).sumInTreeOrder(b.baseAddress!, count: count)
                    }
                    outcome.set(rank, buffer)
                } catch { outcome.fail("\(error)") }
                done.leave()
            }.start()
        }
        done.wait()
        if let error = outcome.error { throw DistributedError.unsupported(error) }
        return (outcome.results, treeSum(inputs[...]))
    }

    /// What the rank threads produced.
    final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var results: [[Float]]
        private(set) var error: String?
        init(size: Int) { results = Array(repeating: [], count: size) }
        func set(_ rank: Int, _ values: [Float]) { lock.withLock { results[rank] = values } }
        func fail(_ message: String) { lock.withLock { error = message } }
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
                try ThreadGroup(size: 3).member(0).sumInTreeOrder(b.baseAddress!, count: 3)
            }
        }
    }
}
