import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and crash-safe writes for the model files.
///
/// A write goes to a temporary file in the same folder, is flushed with `fsync`, renamed over the
/// target (atomic on POSIX file systems) and the folder is synced, so a crash (even `kill -9`)
/// leaves either the old or the new file, never a half-written one.
enum FileAccess {
    static func read(_ path: String) throws(ModelError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        return [UInt8](data)
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ModelError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io(path: temporary, reason: "cannot create (\(String(cString: strerror(errno))))") }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n <= 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok else {
            unlink(temporary)
            throw .io(path: temporary, reason: "write failed (\(String(cString: strerror(errno))))")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .io(path: path, reason: "cannot rename into place (\(String(cString: strerror(errno))))")
        }
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if dirFD >= 0 { _ = fsync(dirFD); close(dirFD) }
    }

    static func createDirectory(_ path: String) throws(ModelError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .io(path: path, reason: "cannot create folder: \(error.localizedDescription)")
        }
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    /// Removes `*.tmp-<pid>` files left by a process killed in the middle of a write.
    static func removeStaleTemporaries(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.contains(".tmp-") { remove((directory as NSString).appendingPathComponent(name)) }
    }
}

/// Little-endian field access on byte arrays (bounds checked by the callers).
extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    func readLE<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v |= T(self[offset + i]) << (8 * i) }
        return v
    }
}
