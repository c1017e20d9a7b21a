#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DoppelTable
import DoppelFiles

/// A read-only, memory-mapped file.
///
/// The mapping lives as long as the ``storage`` (a ``BufferStorage``), so columns read from
/// the file can point straight into it (zero copy) and keep it alive. An empty file maps to an
/// empty buffer.
public struct MappedFile: Sendable {
    public let path: String
    public let storage: BufferStorage

    /// Maps `path` read-only. `sequential` advises the kernel to read ahead.
    public init(path: String, sequential: Bool = false) throws(DataFileError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DataFileError(file: path, message: "cannot open: \(MappedFile.errnoText())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DataFileError(file: path, message: "cannot stat: \(MappedFile.errnoText())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw DataFileError(file: path, message: "not a regular file") }
        let size = Int(info.st_size)
        if size == 0 {
            storage = BufferStorage(borrowing: UnsafeRawPointer(bitPattern: 64)!, byteCount: 0, release: nil)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw DataFileError(file: path, message: "cannot map into memory: \(MappedFile.errnoText())")
        }
        if sequential { _ = madvise(base, size, MADV_SEQUENTIAL) }
        storage = BufferStorage(borrowing: UnsafeRawPointer(base), byteCount: size, readOnlyFileMapping: true) { pointer, count in
            _ = munmap(UnsafeMutableRawPointer(mutating: pointer), count)
        }
    }

    /// The whole file's bytes; valid while this value (or its storage) is alive.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage.baseAddress, count: storage.byteCount) }

    public var count: Int { storage.byteCount }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
