#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files atomically: the data goes to a temporary file beside the target
/// (`.NAME.tmp-<pid>-<n>`), is flushed to disk, renamed over the target (atomic on POSIX file
/// systems), and the folder is synced. A crash leaves either the old file or the new one, never a
/// half-written file that a later step could trust. The one atomic writer of the project: data
/// files, workspace metadata and model files all go through it.
public enum AtomicFile {
    /// Writes through `body`, which receives a sink for the file's bytes.
    public static func write(to path: String, _ body: (inout FileSink) throws -> Void) throws {
        let file = try AtomicFileWriter(path: path)
        do {
            try body(&file.sink)
        } catch {
            file.abandon()
            throw error
        }
        try file.commit()
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws {
        try write(to: path) { sink in
            var copy = Array(bytes)
            copy.withUnsafeMutableBytes { sink.write(UnsafeRawBufferPointer($0)) }
            try sink.checkError()
        }
    }

    /// Writes a UTF-8 string to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Removes the temporary files of earlier writes of `path` whose process no longer runs (a
    /// `kill -9` in the middle of a write leaves one behind; a write that fails removes its own).
    static func removeStaleTemporaries(of path: String) {
        let directory = parentDirectory(of: path), prefix = ".\(baseName(of: path)).tmp-"
        guard let folder = opendir(directory) else { return }
        defer { closedir(folder) }
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }) else { continue }
            // kill(pid, 0) fails with ESRCH when no such process exists.
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH { unlink("\(directory)/\(name)") }
        }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// One atomic write that stays open across calls (e.g. several files filled side by side): the
/// bytes go to ``sink``, a temporary file beside `path`; ``commit()`` syncs it and renames it into
/// place, ``abandon()`` (or dropping the writer uncommitted) removes it.
public final class AtomicFileWriter {
    public var sink: FileSink
    private let path: String
    private let temporary: String
    private var done = false

    public init(path: String) throws {
        self.path = path
        AtomicFile.removeStaleTemporaries(of: path)
        temporary = "\(AtomicFile.parentDirectory(of: path))/.\(AtomicFile.baseName(of: path)).tmp-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))"
        sink = try FileSink(creating: temporary, displayPath: path)
    }

    deinit { if !done { abandon() } }

    /// Flushes and syncs the data, renames the temporary file over `path` and syncs the folder.
    public func commit() throws {
        precondition(!done, "an atomic write is committed or abandoned once")
        do {
            try sink.flushAndSync()
            sink.close()
            guard rename(temporary, path) == 0 else {
                throw DataFileError(file: path, message: "cannot rename temporary file into place: \(String(cString: strerror(errno)))")
            }
            done = true
            // The rename itself reaches the disk with the folder's entry.
            let folder = open(AtomicFile.parentDirectory(of: path), O_RDONLY | O_CLOEXEC)
            if folder >= 0 { _ = fsync(folder); _ = Glibc.close(folder) }
        } catch {
            abandon()
            throw error
        }
    }

    /// Removes the temporary file; `path` keeps what it held before.
    public func abandon() {
        guard !done else { return }
        done = true
        sink.close()
        unlink(temporary)
    }
}

/// A buffered, write-only file handle. Write errors are remembered and reported by
/// ``checkError()`` or ``flushAndSync()``, so hot loops need no `try` per write.
public struct FileSink: ~Copyable {
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let capacity = 1 << 20
    private var failure: DataFileError?
    /// Bytes written so far (including those still buffered).
    public private(set) var position: Int = 0
    let displayPath: String

    init(creating path: String, displayPath: String) throws(DataFileError) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        self.displayPath = displayPath
        guard fd >= 0 else { throw DataFileError(file: displayPath, message: "cannot create: \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(capacity)
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) {
        position += bytes.count
        if buffer.count + bytes.count > capacity { flushBuffer() }
        if bytes.count >= capacity {
            writeFully(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    public mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Writes zero bytes until ``position`` is a multiple of `alignment`.
    public mutating func pad(toMultipleOf alignment: Int) {
        let extra = (alignment - position % alignment) % alignment
        if extra > 0 { write([UInt8](repeating: 0, count: extra)) }
    }

    public func checkError() throws(DataFileError) {
        if let failure { throw failure }
    }

    mutating func flushAndSync() throws(DataFileError) {
        flushBuffer()
        try checkError()
        guard fsync(fd) == 0 else { throw DataFileError(file: displayPath, message: "cannot sync to disk: \(String(cString: strerror(errno)))") }
    }

    mutating func close() {
        if fd >= 0 { _ = Glibc.close(fd); fd = -1 }
    }

    private mutating func flushBuffer() {
        guard !buffer.isEmpty else { return }
        let pending = buffer
        pending.withUnsafeBytes { writeFully($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func writeFully(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                failure = DataFileError(file: displayPath, message: "write failed: \(String(cString: strerror(errno)))")
                return
            }
            p += n
            left -= n
        }
    }
}
