#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DoppelParallel

/// Tasks for the processes backend's tests. The test process registers the same tasks, so that
/// results from worker processes can be compared with results from threads.
public enum FixtureTasks {
    /// A byte range of a file, to be summed through a memory map.
    public struct FileSlice: Codable, Sendable {
        public var path: String
        public var offset: Int
        public var length: Int
        public init(path: String, offset: Int, length: Int) {
            self.path = path
            self.offset = offset
            self.length = length
        }
    }

    /// Draws from the per-task random stream of `(seed, [index])`.
    public struct RandomDraw: Codable, Sendable {
        public var seed: UInt64
        public var index: Int
        public var draws: Int
        public init(seed: UInt64, index: Int, draws: Int) {
            self.seed = seed
            self.index = index
            self.draws = draws
        }
    }

    /// A task that leaves a marker file `directory/index`.
    public struct Marker: Codable, Sendable {
        public var directory: String
        public var index: Int
        public init(directory: String, index: Int) {
            self.directory = directory
            self.index = index
        }
    }

    public struct Rejected: Error, CustomStringConvertible {
        public let value: Int
        public var description: String { "value \(value) rejected" }
    }

    public static func registerAll() {
        TaskRegistry.register("square") { (x: Int) -> Int in x * x }
        TaskRegistry.register("sum-file-bytes") { (slice: FileSlice) -> Int in try sumBytes(slice) }
        TaskRegistry.register("random-sum") { (draw: RandomDraw) -> Double in randomSum(draw) }
        // Aborts the worker process when given 13: a crash in the middle of a call. The default
        // SIGABRT action is restored first, which skips the Swift runtime's backtrace (test noise).
        TaskRegistry.register("crash-on-13") { (x: Int) -> Int in
            if x == 13 {
                signal(SIGABRT, SIG_DFL)
                abort()
            }
            return x
        }
        // Leaves a marker file per task (after 20 ms of "work") and crashes on task 5: the test
        // counts markers to see that the tasks after the crash were cancelled.
        TaskRegistry.register("mark-then-crash-on-5") { (marker: Marker) -> Int in
            usleep(20_000)
            let descriptor = open("\(marker.directory)/\(marker.index)", O_CREAT | O_WRONLY, 0o644)
            if descriptor >= 0 { close(descriptor) }
            if marker.index == 5 {
                signal(SIGABRT, SIG_DFL)
                abort()
            }
            return marker.index
        }
        TaskRegistry.register("reject-7") { (x: Int) -> Int in
            if x == 7 { throw Rejected(value: x) }
            return x
        }
        TaskRegistry.register("process-id") { (_: Int) -> Int32 in getpid() }
    }

    public static func randomSum(_ draw: RandomDraw) -> Double {
        var random = SeededRandom.stream(seed: draw.seed, [UInt64(draw.index)])
        var sum = 0.0
        for _ in 0..<draw.draws { sum += random.nextDouble() }
        return sum
    }

    /// Sums the bytes of a slice of a file read through `mmap`.
    public static func sumBytes(_ slice: FileSlice) throws -> Int {
        let descriptor = open(slice.path, O_RDONLY)
        guard descriptor >= 0 else { throw FileError(path: slice.path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard slice.length > 0 else { return 0 }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let alignedOffset = slice.offset / pageSize * pageSize
        let mappedLength = slice.offset - alignedOffset + slice.length
        guard let base = mmap(nil, mappedLength, PROT_READ, MAP_PRIVATE, descriptor, off_t(alignedOffset)), base != MAP_FAILED else {
            throw FileError(path: slice.path, reason: "mmap: \(String(cString: strerror(errno)))")
        }
        defer { munmap(base, mappedLength) }
        let bytes = UnsafeRawBufferPointer(start: base + (slice.offset - alignedOffset), count: slice.length)
        return bytes.reduce(0) { $0 + Int($1) }
    }

    public struct FileError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }
}
