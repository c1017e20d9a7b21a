import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One writer per workspace: every step that writes into a workspace (split, analyze, encode,
/// train) holds an exclusive advisory lock (`flock`) on `W/.doppel.lock` for its whole run;
/// generate, which reads the model, holds a shared one, so it never reads a model that a train
/// run is replacing file by file. A second writer, or a reader while a writer runs, gets an error
/// naming the holder's process and step instead of waiting. The lock belongs to the open file, so
/// it goes away with the process, also after `kill -9`.
final class WorkspaceLock {
    enum Mode { case exclusive, shared }
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        _ = close(descriptor)
    }

    /// Takes the lock for `step` or throws at once, naming the process that holds it.
    static func acquire(_ workspace: Workspace, _ mode: Mode, step: String) throws -> WorkspaceLock {
        let root = workspace.root.path
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), !isFolder.boolValue {
            throw PipelineError.workspace("\(root) is a file, not a workspace folder")
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let path = (root as NSString).appendingPathComponent(".doppel.lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PipelineError.workspace("cannot open the workspace lock \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, (mode == .exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            let holder = holderText(fd)
            _ = close(fd)
            throw PipelineError.workspace("the workspace \(root) is in use by \(holder); wait for it to finish, or stop it, then run `doppel \(step)` again")
        }
        if mode == .exclusive {
            // Name this process for whoever finds the workspace locked.
            let text = Array("\(getpid()) \(step)\n".utf8)
            _ = ftruncate(fd, 0)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return WorkspaceLock(descriptor: fd)
    }

    /// "process 1234 (doppel train)" from the lock file, or a generic phrase.
    private static func holderText(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let parts = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }) : []
        guard parts.count >= 2, let pid = Int32(parts[0]), kill(pid, 0) == 0 else { return "another doppel process" }
        return "process \(pid) (doppel \(parts[1]))"
    }
}
