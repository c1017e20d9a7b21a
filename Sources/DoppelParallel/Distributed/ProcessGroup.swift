/// The processes of one SPMD job (e.g. the ranks of `mpirun -np N doppel train`): which one this
/// is, how many there are, and the few collective operations data-parallel training needs. Every
/// member must make the same calls in the same order. ``SingleProcess`` is the group of a plain
/// run; ``MPIProcessGroup`` the one of a run under an MPI launcher.
public protocol ProcessGroup: Sendable {
    /// This process's index, `0..<size`; rank 0 writes the files and prints the progress.
    var rank: Int { get }
    var size: Int { get }
    /// Sends `count` floats from `send` to rank `partner` while receiving `receiveCount` floats
    /// from it into `receive` (MPI_Sendrecv); the building block of DoppelNN's tree allreduce.
    func exchange(partner: Int, send: UnsafePointer<Float>, count: Int,
                  receive: UnsafeMutablePointer<Float>, count receiveCount: Int) throws(DistributedError)
    /// Element-wise sum of `Double`s over the ranks, for values that only one rank contributes
    /// (the others give 0), which makes the result exact: gathers per-shard losses.
    func sumContributions(_ buffer: UnsafeMutablePointer<Double>, count: Int) throws(DistributedError)
    /// Rank 0's bytes on every rank (`bytes` must have the same length everywhere): one decision
    /// for all ranks, e.g. "stop now".
    func broadcast(_ bytes: inout [UInt8]) throws(DistributedError)
}

extension ProcessGroup {
    public var isLeader: Bool { rank == 0 }

    /// Rank 0's value of `value` on every rank.
    public func agree(_ value: Int64) throws(DistributedError) -> Int64 {
        guard size > 1 else { return value }
        var bytes = withUnsafeBytes(of: value.littleEndian) { Array($0) }
        try broadcast(&bytes)
        return Int64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
    }

    /// Rank 0's `flag` on every rank.
    public func agree(_ flag: Bool) throws(DistributedError) -> Bool { try agree(flag ? 1 : 0) != 0 }

    /// The contiguous block of `count` parts that this rank owns when `count` splits evenly over
    /// the ranks; `nil` otherwise (then every rank does all the parts itself).
    public func evenBlock(of count: Int) -> Range<Int>? {
        guard size > 1, count % size == 0 else { return nil }
        let per = count / size
        return rank * per ..< (rank + 1) * per
    }
}

/// The group of a process that runs alone: every collective is the identity.
public struct SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func exchange(partner: Int, send: UnsafePointer<Float>, count: Int, receive: UnsafeMutablePointer<Float>, count receiveCount: Int) {
        preconditionFailure("a single process has no partner")
    }
    public func sumContributions(_ buffer: UnsafeMutablePointer<Double>, count: Int) {}
    public func broadcast(_ bytes: inout [UInt8]) {}
}

/// Failures of a distributed job's runtime.
public enum DistributedError: Error, Equatable, CustomStringConvertible {
    /// The MPI library could not be loaded or lacks a symbol Doppel needs.
    case library(String)
    /// An MPI call returned an error code.
    case call(String, code: Int32)
    /// The job's shape is not one Doppel supports (e.g. a rank count that is not a power of two).
    case unsupported(String)

    public var description: String {
        switch self {
        case .library(let message): "MPI: \(message)"
        case .call(let name, let code): "MPI: \(name) failed with error code \(code)"
        case .unsupported(let message): "MPI: \(message)"
        }
    }
}
