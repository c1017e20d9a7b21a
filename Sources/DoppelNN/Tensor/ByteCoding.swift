/// Little-endian binary writer and reader for checkpoints (no file IO here: callers hand the bytes
/// to DoppelIO's atomic writer).
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func write(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func write(_ value: Float) { write(value.bitPattern) }
    mutating func write(_ value: String) {
        let utf8 = Array(value.utf8)
        write(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    mutating func writeTag(_ magic: StaticString) {
        magic.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
    mutating func write(_ values: [Float]) {
        write(Int64(values.count))
        bytes.reserveCapacity(bytes.count + 4 * values.count)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    }
}

/// Errors reading a checkpoint blob.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The blob does not start with the expected 4-byte tag and version.
    case notACheckpoint(expected: String)
    /// The blob ends before byte `offset` (truncated or corrupt).
    case truncated(offset: Int)
    /// The blob was written for another parameter layout.
    case layoutMismatch(String)

    public var description: String {
        switch self {
        case .notACheckpoint(let expected): return "not a \(expected) checkpoint (wrong tag or version)"
        case .truncated(let offset): return "checkpoint truncated or corrupt at byte \(offset)"
        case .layoutMismatch(let detail): return "checkpoint does not match the model: \(detail)"
        }
    }
}

struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func take(_ count: Int) throws(CheckpointError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else { throw .truncated(offset: offset) }
        defer { offset += count }
        return bytes[offset ..< offset + count]
    }

    mutating func readUInt32() throws(CheckpointError) -> UInt32 {
        let s = try take(4)
        var v: UInt32 = 0
        for (i, b) in s.enumerated() { v |= UInt32(b) << (8 * UInt32(i)) }
        return v
    }

    mutating func readInt64() throws(CheckpointError) -> Int64 {
        let s = try take(8)
        var v: UInt64 = 0
        for (i, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return Int64(bitPattern: v)
    }

    mutating func readFloat() throws(CheckpointError) -> Float { Float(bitPattern: try readUInt32()) }

    mutating func readString() throws(CheckpointError) -> String {
        let count = Int(try readUInt32())
        return String(decoding: try take(count), as: UTF8.self)
    }

    mutating func expect(_ magic: StaticString, name: String) throws(CheckpointError) {
        let expected = magic.withUTF8Buffer { Array($0) }
        guard bytes.count - offset >= expected.count, Array(bytes[offset ..< offset + expected.count]) == expected else {
            throw .notACheckpoint(expected: name)
        }
        offset += expected.count
    }

    mutating func readFloats() throws(CheckpointError) -> [Float] {
        let count = try readInt64()
        guard count >= 0, count <= Int64((bytes.count - offset) / 4) else { throw .truncated(offset: offset) }
        let n = Int(count)
        var values = [Float](repeating: 0, count: n)
        let start = offset
        bytes.withUnsafeBufferPointer { raw in
            values.withUnsafeMutableBufferPointer { out in
                for i in 0..<n {
                    let p = start + 4 * i
                    let bits = UInt32(raw[p]) | UInt32(raw[p + 1]) << 8 | UInt32(raw[p + 2]) << 16 | UInt32(raw[p + 3]) << 24
                    out[i] = Float(bitPattern: bits)
                }
            }
        }
        offset += 4 * n
        return values
    }
}
