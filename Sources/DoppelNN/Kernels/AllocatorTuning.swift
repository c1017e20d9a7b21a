#if canImport(Glibc)
import Glibc
#endif

/// glibc `malloc` settings for training loops that allocate and free multi-megabyte tensors
/// every step.
///
/// By default glibc serves large blocks with `mmap` and gives freed heap tops back to the kernel
/// (`M_TRIM_THRESHOLD`), so every step page-faults its activation buffers in again: measured
/// ~25 % of a grouped-head training step (batch 512, 50 heads) in `doppel-nn-bench`. Raising
/// both thresholds keeps freed memory in the process for reuse. Unlike the OpenBLAS variables
/// this can be changed at run time (`mallopt`); it is process-wide, so the CLI calls it once.
/// The same effect from outside: `GLIBC_TUNABLES=glibc.malloc.trim_threshold=…:glibc.malloc.mmap_threshold=…`.
public enum AllocatorTuning {
    /// Largest `M_MMAP_THRESHOLD` glibc accepts on 64-bit systems (32 MiB).
    public static let maximumMmapThreshold = 32 << 20

    /// Serves blocks up to 32 MiB from the heap and trims the heap only when more than
    /// `trimThreshold` bytes are free at its top. Returns `false` where unsupported (non-glibc).
    @discardableResult
    public static func retainFreedMemory(trimThreshold: Int = 1 << 30) -> Bool {
        guard let mallopt = lookUpMallopt() else { return false }
        let mmapOK = mallopt(mmapThresholdParameter, Int32(maximumMmapThreshold)) == 1
        let trimOK = mallopt(trimThresholdParameter, Int32(clamping: trimThreshold)) == 1
        return mmapOK && trimOK
    }

    // <malloc.h> is not part of Swift's Glibc module, so `mallopt` and its parameter numbers
    // (M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3, stable glibc ABI) are looked up by hand.
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private static let trimThresholdParameter: Int32 = -1
    private static let mmapThresholdParameter: Int32 = -3

    private static func lookUpMallopt() -> Mallopt? {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return nil }
        return unsafeBitCast(symbol, to: Mallopt.self)
        #else
        return nil
        #endif
    }
}
