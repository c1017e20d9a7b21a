#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DoppelTable

/// `madvise` advice the CSV reader gives about its memory.
enum PageAdvice {
    /// The pages are no longer needed: a file's pages are read again from the page cache, an
    /// anonymous block's read as zeros.
    static let dontNeed = MADV_DONTNEED
    /// Map the (anonymous) pages now, in one call, instead of one page fault per 4 KiB as they
    /// are written (`MADV_POPULATE_WRITE`, Linux 5.14; older kernels ignore it and fault as usual).
    static let populateWrite: Int32 = 23
}
