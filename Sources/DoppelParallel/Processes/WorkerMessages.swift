/// The messages of the worker protocol (inside ``FrameChannel`` frames).
///
/// - Greeting (worker → parent, once at start): the bytes of ``greeting``.
/// - Request (parent → worker): UInt32 little-endian name length, the task name (UTF-8), then the
///   descriptor as JSON.
/// - Response (worker → parent): one status byte (``ResponseStatus``), then the result as JSON, or
///   the error message (UTF-8).
enum WorkerMessages {
    static let greeting = Array("doppel-worker/1".utf8)

    enum ResponseStatus: UInt8 {
        case success = 0
        case taskThrew = 1
        case unknownTask = 2
        case badRequest = 3
    }

    static func request(task name: String, descriptor: [UInt8]) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        let length = UInt32(nameBytes.count)
        var out: [UInt8] = [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]
        out.reserveCapacity(4 + nameBytes.count + descriptor.count)
        out.append(contentsOf: nameBytes)
        out.append(contentsOf: descriptor)
        return out
    }

    static func parseRequest(_ frame: [UInt8]) -> (task: String, descriptor: [UInt8])? {
        guard frame.count >= 4 else { return nil }
        let length = Int(frame[0]) | Int(frame[1]) << 8 | Int(frame[2]) << 16 | Int(frame[3]) << 24
        guard length <= frame.count - 4 else { return nil }
        let name = String(decoding: frame[4..<4 + length], as: UTF8.self)
        return (name, Array(frame[(4 + length)...]))
    }

    static func response(_ status: ResponseStatus, _ body: [UInt8]) -> [UInt8] { [status.rawValue] + body }

    /// The result bytes of a response, or the error it reports.
    static func parseResponse(_ frame: [UInt8], task name: String) -> Result<[UInt8], WorkerProcessError> {
        guard let first = frame.first, let status = ResponseStatus(rawValue: first) else {
            return .failure(.protocolViolation("malformed response"))
        }
        let body = Array(frame.dropFirst())
        switch status {
        case .success: return .success(body)
        case .taskThrew: return .failure(.taskThrew(message: String(decoding: body, as: UTF8.self)))
        case .unknownTask: return .failure(.unknownTask(name: name))
        case .badRequest: return .failure(.protocolViolation(String(decoding: body, as: UTF8.self)))
        }
    }
}
