import DoppelNN

/// The binary weights file `weights.bin` (format version 1), little-endian:
///
/// ```
/// offset  size  field
///  0      8     magic "DOPPELWB"
///  8      4     u32 format version (1)
/// 12      4     u32 header size (64)
/// 16      8     u64 layout hash: FNV-1a of every parameter slice's name, shape and offset
/// 24      8     u64 value count N
/// 32      4     u32 CRC-32 of the payload
/// 36      4     u32 CRC-32 of bytes 0..<36
/// 40     24     zero
/// 64     4·N    f32 values (the flat ParameterStore buffer; 64-byte aligned start)
/// ```
/// Reading checks every field, so a truncated, corrupt, foreign or mismatched file is rejected
/// with a message saying which check failed. Nothing in the file is executed or interpreted
/// beyond these numbers.
enum WeightsFile {
    static let magic: [UInt8] = Array("DOPPELWB".utf8)
    static let version: UInt32 = 1
    static let headerSize = 64

    static func layoutHash(_ store: ParameterStore) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) { for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 } }
        for s in store.slices { mix("\(s.name):\(s.shape):\(s.offset);") }
        return h
    }

    static func encode(_ store: ParameterStore) -> [UInt8] {
        var payload = [UInt8](repeating: 0, count: store.values.count * 4)
        payload.withUnsafeMutableBytes { out in
            store.values.withUnsafeBytes { src in
                precondition(UInt32(1).littleEndian == 1, "big-endian hosts are not supported")
                out.copyMemory(from: src)
            }
        }
        var header = magic
        header.appendLE(version)
        header.appendLE(UInt32(headerSize))
        header.appendLE(layoutHash(store))
        header.appendLE(UInt64(store.values.count))
        header.appendLE(CRC32.checksum(payload))
        header.appendLE(CRC32.checksum(header))
        header += [UInt8](repeating: 0, count: headerSize - header.count)
        return header + payload
    }

    /// The values of a weights file for a model whose store has `store`'s layout.
    static func decode(_ bytes: [UInt8], for store: ParameterStore, path: String) throws(ModelError) -> [Float] {
        func fail(_ reason: String) -> ModelError { .invalidFile(path: path, reason: reason) }
        guard bytes.count >= headerSize else { throw fail("truncated weights file: \(bytes.count) bytes, the header alone has \(headerSize)") }
        guard Array(bytes[0..<8]) == magic else { throw fail("not a Doppel weights file (bad magic bytes)") }
        guard CRC32.checksum(bytes[0..<36]) == bytes.readLE(UInt32.self, at: 36) else { throw fail("corrupt weights file header (checksum mismatch)") }
        let fileVersion = bytes.readLE(UInt32.self, at: 8)
        guard fileVersion == version else { throw fail("weights format version \(fileVersion), this build reads \(version)") }
        guard bytes.readLE(UInt32.self, at: 12) == UInt32(headerSize) else { throw fail("unexpected weights header size") }
        guard bytes.readLE(UInt64.self, at: 16) == layoutHash(store) else {
            throw fail("weights were written for another architecture (layout hash mismatch)")
        }
        let count = bytes.readLE(UInt64.self, at: 24)
        guard count == UInt64(store.values.count) else { throw fail("\(count) weights in the file, the model has \(store.values.count)") }
        let expected = headerSize + Int(count) * 4
        guard bytes.count == expected else {
            throw fail(bytes.count < expected ? "truncated weights file: \(bytes.count) of \(expected) bytes" : "\(bytes.count - expected) unexpected bytes after the weights")
        }
        let payload = bytes[headerSize...]
        guard CRC32.checksum(payload) == bytes.readLE(UInt32.self, at: 32) else { throw fail("corrupt weights file (payload checksum mismatch)") }
        var values = [Float](repeating: 0, count: Int(count))
        values.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { src in out.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[headerSize...])) }
        }
        guard values.allSatisfy({ $0.isFinite }) else { throw fail("weights contain NaN or infinite values") }
        return values
    }
}
