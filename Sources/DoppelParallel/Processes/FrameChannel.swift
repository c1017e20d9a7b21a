#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Length-prefixed frames over a stream socket: a 4-byte little-endian payload length, then the
/// payload. Writes use `MSG_NOSIGNAL`, so a dead peer gives an error instead of `SIGPIPE`.
struct FrameChannel: Sendable {
    let descriptor: Int32

    /// Frames larger than this are rejected as a protocol error (descriptors and results are small).
    static let maximumPayload = 1 << 30

    func send(_ payload: [UInt8]) throws {
        let length = UInt32(payload.count)
        var frame: [UInt8] = [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]
        frame.append(contentsOf: payload)
        try frame.withUnsafeBytes { (bytes) throws in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WorkerProcessError.protocolViolation("write failed: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }

    /// The next frame's payload, or `nil` if the peer closed the connection between frames.
    func receive() throws -> [UInt8]? {
        var header = [UInt8](repeating: 0, count: 4)
        guard try readFully(&header, allowEndOfFile: true) else { return nil }
        let length = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16 | Int(header[3]) << 24
        guard length <= Self.maximumPayload else { throw WorkerProcessError.protocolViolation("frame of \(length) bytes is too large") }
        var payload = [UInt8](repeating: 0, count: length)
        if length > 0 { _ = try readFully(&payload, allowEndOfFile: false) }
        return payload
    }

    /// Fills `buffer`; returns `false` on end of file before the first byte when that is allowed.
    private func readFully(_ buffer: inout [UInt8], allowEndOfFile: Bool) throws -> Bool {
        let count = buffer.count
        return try buffer.withUnsafeMutableBytes { (bytes) throws -> Bool in
            var offset = 0
            while offset < count {
                let got = read(descriptor, bytes.baseAddress! + offset, count - offset)
                if got < 0 {
                    if errno == EINTR { continue }
                    throw WorkerProcessError.protocolViolation("read failed: \(String(cString: strerror(errno)))")
                }
                if got == 0 {
                    if offset == 0 && allowEndOfFile { return false }
                    throw WorkerProcessError.protocolViolation("connection closed in the middle of a frame")
                }
                offset += got
            }
            return true
        }
    }
}
