import DoppelParallel
import Foundation

/// The ranks of a process group played by threads of one test process: `member(r)` is rank r's
/// ``ProcessGroup``; messages go through mailboxes. Collectives are built from pairwise swaps
/// by recursive doubling, so the size must be a power of two. For testing the code that runs
/// under MPI without MPI.
public final class ThreadProcessGroup: @unchecked Sendable {
    public let size: Int
    private let condition = NSCondition()
    private var mailbox: [Int: Any] = [:]  // key: from * size + to

    public init(size: Int) { self.size = size }

    public func member(_ rank: Int) -> Member { Member(rank: rank, group: self) }

    /// Rank `rank` hands `value` to `partner` and gets the partner's value in return.
    func swap<T>(from rank: Int, to partner: Int, _ value: T) -> T {
        condition.lock()
        defer { condition.unlock() }
        while mailbox[rank * size + partner] != nil { condition.wait() }
        mailbox[rank * size + partner] = value
        condition.broadcast()
        while mailbox[partner * size + rank] == nil { condition.wait() }
        let received = mailbox.removeValue(forKey: partner * size + rank)!
        condition.broadcast()
        return received as! T
    }

    /// Runs `body(member)` for every rank on its own thread and returns the results in rank order.
    public func run<T>(_ body: @escaping @Sendable (Member) throws -> T) throws -> [T] {
        let results = Results<T>(size: size)
        let done = DispatchGroup()
        for rank in 0..<size {
            done.enter()
            Thread {
                results.set(rank, Result { try body(self.member(rank)) })
                done.leave()
            }.start()
        }
        done.wait()
        return try results.values.map { try $0!.get() }
    }

    private final class Results<T>: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [Result<T, any Error>?]
        init(size: Int) { values = Array(repeating: nil, count: size) }
        func set(_ rank: Int, _ value: Result<T, any Error>) { lock.withLock { values[rank] = value } }
    }

    public struct Member: ProcessGroup {
        public let rank: Int
        let group: ThreadProcessGroup
        public var size: Int { group.size }

        public func exchange(partner: Int, send: UnsafePointer<Float>, count: Int, receive: UnsafeMutablePointer<Float>, count receiveCount: Int) {
            let received = group.swap(from: rank, to: partner, Array(UnsafeBufferPointer(start: send, count: count)))
            precondition(received.count == receiveCount, "message sizes disagree")
            receive.update(from: received, count: receiveCount)
        }

        public func sumContributions(_ buffer: UnsafeMutablePointer<Double>, count: Int) {
            var mask = 1
            while mask < size {
                let theirs = group.swap(from: rank, to: rank ^ mask, Array(UnsafeBufferPointer(start: buffer, count: count)))
                for i in 0..<count { buffer[i] += theirs[i] }
                mask <<= 1
            }
        }

        public func broadcast(_ bytes: inout [UInt8]) {
            var mask = 1
            while mask < size {
                let theirs = group.swap(from: rank, to: rank ^ mask, bytes)
                if rank & mask != 0 { bytes = theirs }
                mask <<= 1
            }
        }
    }
}
