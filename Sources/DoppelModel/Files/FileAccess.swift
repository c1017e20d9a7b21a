import DoppelFiles
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and crash-safe writes for the model files (through ``AtomicFile``, the one
/// atomic writer: a crash, even `kill -9`, leaves either the old or the new file).
enum FileAccess {
    static func read(_ path: String) throws(ModelError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        return [UInt8](data)
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ModelError) {
        do {
            try AtomicFile.write(bytes, to: path)
        } catch let error as DataFileError {
            throw .io(path: path, reason: error.message)
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
    }

    static func createDirectory(_ path: String) throws(ModelError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .io(path: path, reason: "cannot create folder: \(error.localizedDescription)")
        }
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
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
