import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ranks of a job started by an MPI launcher (`mpirun`, `srun`, an MPI operator), through the
/// system's Open MPI loaded at run time with `dlopen`: the `doppel` binary neither links nor needs
/// MPI, and loads it only when ``launchedByMPI(_:)`` sees a launcher's environment.
///
/// Open MPI's predefined handles (`MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_SUM`, …) are the addresses
/// of exported globals (`ompi_mpi_comm_world`, `ompi_mpi_float`, `ompi_mpi_op_sum`; the Open MPI
/// 4.x and 5.x ABI, `libmpi.so.40`), so they are looked up by name like the functions. The
/// library is opened `RTLD_GLOBAL` because Open MPI's own plugins resolve symbols from it. MPI is
/// initialised with `MPI_THREAD_SERIALIZED`: one thread at a time calls it.
public final class MPIProcessGroup: ProcessGroup, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// `MPI_Get_library_version`'s first line, e.g. "Open MPI v4.1.4, …".
    public let libraryVersion: String
    private let api: API
    /// Time spent inside MPI's data calls (exchange, allreduce, broadcast) and the bytes this rank
    /// sent in them, for `DOPPEL_MPI_STATS`.
    public private(set) var communicationSeconds = 0.0
    public private(set) var bytesSent = 0
    public private(set) var calls = 0

    /// Whether the environment is that of a rank started by an MPI launcher (Open MPI's
    /// `mpirun`, or a PMI/PMIx launcher such as Slurm's `srun`).
    public static func launchedByMPI(_ environment: [String: String]) -> Bool {
        ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// Loads the MPI library (`DOPPEL_MPI_LIBRARY`, else `libmpi.so.40`, else `libmpi.so`) and
    /// initialises MPI. Call once per process.
    public init(environment: [String: String]) throws(DistributedError) {
        let candidates = environment["DOPPEL_MPI_LIBRARY"].map { [$0] } ?? ["libmpi.so.40", "libmpi.so"]
        var handle: UnsafeMutableRawPointer?
        for name in candidates where handle == nil { handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL) }
        guard let handle else {
            throw .library("launched by an MPI launcher, but no Open MPI library could be loaded (tried \(candidates.joined(separator: ", ")); install Open MPI, e.g. `apt-get install openmpi-bin`, or set DOPPEL_MPI_LIBRARY to libmpi's path): \(String(cString: dlerror()))")
        }
        api = try API(handle)
        var provided: Int32 = 0
        try api.check("MPI_Init_thread", api.initThread(nil, nil, API.threadSerialized, &provided))
        guard provided >= API.threadSerialized else {
            throw .unsupported("the MPI library does not support MPI_THREAD_SERIALIZED (provided level \(provided))")
        }
        var value: Int32 = 0
        try api.check("MPI_Comm_rank", api.commRank(api.world, &value))
        rank = Int(value)
        try api.check("MPI_Comm_size", api.commSize(api.world, &value))
        size = Int(value)
        var text = [CChar](repeating: 0, count: 8192)
        var length: Int32 = 0
        _ = api.libraryVersion(&text, &length)
        let bytes = text.prefix(Int(max(0, length))).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let firstLine = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first ?? "MPI"
        libraryVersion = firstLine.split(separator: " ").joined(separator: " ")
    }

    public func exchange(partner: Int, send: UnsafePointer<Float>, count: Int,
                         receive: UnsafeMutablePointer<Float>, count receiveCount: Int) throws(DistributedError) {
        let started = api.wtime()
        defer { account(since: started, bytes: count * 4) }
        // MPI counts are 32-bit: large buffers go in pieces (both sides cut them the same way).
        let piece = 1 << 28
        var sent = 0, received = 0
        while sent < count || received < receiveCount {
            let s = min(piece, count - sent), r = min(piece, receiveCount - received)
            try api.check("MPI_Sendrecv", api.sendrecv(send + sent, Int32(s), api.float, Int32(partner), 17,
                                                       receive + received, Int32(r), api.float, Int32(partner), 17, api.world, nil))
            sent += s
            received += r
        }
    }

    public func sumContributions(_ buffer: UnsafeMutablePointer<Double>, count: Int) throws(DistributedError) {
        let started = api.wtime()
        defer { account(since: started, bytes: count * 8) }
        var done = 0
        while done < count {
            let n = min(1 << 28, count - done)
            try api.check("MPI_Allreduce", api.allreduce(API.inPlace, buffer + done, Int32(n), api.double, api.sum, api.world))
            done += n
        }
    }

    public func broadcast(_ bytes: inout [UInt8]) throws(DistributedError) {
        let started = api.wtime()
        defer { account(since: started, bytes: rank == 0 ? bytes.count : 0) }
        let count = Int32(bytes.count)
        let code = bytes.withUnsafeMutableBytes { api.bcast($0.baseAddress, count, api.byte, 0, api.world) }
        try api.check("MPI_Bcast", code)
    }

    private func account(since started: Double, bytes: Int) {
        communicationSeconds += api.wtime() - started
        bytesSent += bytes
        calls += 1
    }

    /// Waits until every rank has reached this call.
    public func barrier() throws(DistributedError) { try api.check("MPI_Barrier", api.barrier(api.world)) }

    /// Ends the whole job (every rank) with `code`: what a rank does when it fails, so that the
    /// others do not wait forever in a collective.
    public func abort(code: Int32) -> Never {
        _ = api.abort(api.world, code)
        exit(code)
    }

    /// MPI_Finalize; call once at the end of a successful run.
    public func finalize() { _ = api.finalize() }

    /// The MPI functions and handles Doppel uses, resolved from the loaded library.
    private struct API {
        typealias Handle = UnsafeMutableRawPointer
        static let threadSerialized: Int32 = 2
        /// MPI_IN_PLACE, `(void *) 1` in Open MPI.
        static var inPlace: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: 1) }
        let initThread: @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?,
                                        Int32, UnsafeMutablePointer<Int32>) -> Int32
        let commRank: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
        let commSize: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
        let sendrecv: @convention(c) (UnsafeRawPointer, Int32, Handle, Int32, Int32,
                                      UnsafeMutableRawPointer, Int32, Handle, Int32, Int32, Handle, UnsafeMutableRawPointer?) -> Int32
        let allreduce: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer, Int32, Handle, Handle, Handle) -> Int32
        let bcast: @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
        let barrier: @convention(c) (Handle) -> Int32
        let abort: @convention(c) (Handle, Int32) -> Int32
        let finalize: @convention(c) () -> Int32
        let libraryVersion: @convention(c) (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32
        let wtime: @convention(c) () -> Double
        let world: Handle, float: Handle, double: Handle, byte: Handle, sum: Handle

        init(_ library: UnsafeMutableRawPointer) throws(DistributedError) {
            func symbol(_ name: String) throws(DistributedError) -> UnsafeMutableRawPointer {
                guard let address = dlsym(library, name) else {
                    throw .library("\(name) not found in the loaded MPI library: Doppel supports Open MPI 4.x and 5.x (libmpi.so.40)")
                }
                return address
            }
            func function<F>(_ name: String, _: F.Type) throws(DistributedError) -> F { unsafeBitCast(try symbol(name), to: F.self) }
            initThread = try function("MPI_Init_thread", type(of: initThread))
            commRank = try function("MPI_Comm_rank", type(of: commRank))
            commSize = try function("MPI_Comm_size", type(of: commSize))
            sendrecv = try function("MPI_Sendrecv", type(of: sendrecv))
            allreduce = try function("MPI_Allreduce", type(of: allreduce))
            bcast = try function("MPI_Bcast", type(of: bcast))
            barrier = try function("MPI_Barrier", type(of: barrier))
            abort = try function("MPI_Abort", type(of: abort))
            finalize = try function("MPI_Finalize", type(of: finalize))
            libraryVersion = try function("MPI_Get_library_version", type(of: libraryVersion))
            wtime = try function("MPI_Wtime", type(of: wtime))
            world = try symbol("ompi_mpi_comm_world")
            float = try symbol("ompi_mpi_float")
            double = try symbol("ompi_mpi_double")
            byte = try symbol("ompi_mpi_byte")
            sum = try symbol("ompi_mpi_op_sum")
        }

        func check(_ name: String, _ code: Int32) throws(DistributedError) {
            guard code == 0 else { throw .call(name, code: code) }
        }
    }
}
