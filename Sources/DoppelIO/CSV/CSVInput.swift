#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DoppelTable
import DoppelFiles

/// The bytes of a CSV file in memory: memory-mapped for plain files, inflated into a heap block
/// for `.csv.gz` (or any file starting with the gzip magic number).
struct CSVInput: @unchecked Sendable {
    /// Keeps the bytes alive.
    let storage: BufferStorage
    /// Offset of the first byte after a UTF-8 byte order mark, if any.
    let contentStart: Int
    /// True when the bytes are a read-only file mapping whose pages may be dropped once read.
    let isMapped: Bool
    let path: String

    init(path: String) throws(DataFileError) {
        self.path = path
        let file = try MappedFile(path: path, sequential: true)
        if Gzip.hasMagic(file.bytes) || path.hasSuffix(".gz") {
            storage = try Gzip.inflate(file.bytes, path: path)
            isMapped = false
        } else {
            storage = file.storage
            isMapped = true
        }
        let b = UnsafeRawBufferPointer(start: storage.baseAddress, count: storage.byteCount)
        contentStart = b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0
    }

    var base: UnsafePointer<UInt8> { storage.baseAddress.assumingMemoryBound(to: UInt8.self) }
    var count: Int { storage.byteCount }

    /// Tells the kernel that the pages wholly inside `range` are no longer needed, so that a
    /// big mapped file does not stay resident while its typed columns are built. Later reads of
    /// those bytes fault them back in from the page cache, so this never changes results.
    func release(_ range: Range<Int>) {
        guard isMapped else { return }
        storage.advise(wholePagesOf: range, PageAdvice.dontNeed)
    }
}
