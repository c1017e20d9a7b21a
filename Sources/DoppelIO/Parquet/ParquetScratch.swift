#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reusable, growable block of raw memory for per-page work (decompressed pages, levels,
/// indices). Owned by one decoder on one thread.
final class ScratchMemory {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var capacity = 0

    deinit { free(base) }

    /// At least `bytes` bytes; the contents are not preserved.
    func reserve(_ bytes: Int) throws -> UnsafeMutableRawPointer {
        if bytes > capacity || base == nil {
            free(base)
            base = nil
            capacity = 0
            guard let p = malloc(max(bytes, 16)) else { throw ParquetDecodeError("cannot allocate \(bytes) bytes") }
            base = p
            capacity = max(bytes, 16)
        }
        return base!
    }

    func typed<T>(_ count: Int, as: T.Type) throws -> UnsafeMutablePointer<T> {
        try reserve(count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: max(count, 1))
    }
}
