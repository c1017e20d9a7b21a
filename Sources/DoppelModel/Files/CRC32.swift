import CZlib

/// CRC-32 (IEEE 802.3 polynomial 0xEDB88320, reflected; the zlib/PNG checksum), computed by
/// zlib's `crc32` (table-driven over several bytes at a time, about 10× the speed of a
/// byte-at-a-time table loop; a checkpoint of a few megabytes is written every epoch).
enum CRC32 {
    static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        if let crc = bytes.withContiguousStorageIfAvailable({ checksum(buffer: UnsafeRawBufferPointer($0)) }) { return crc }
        return Array(bytes).withUnsafeBytes { checksum(buffer: $0) }
    }

    private static func checksum(buffer: UnsafeRawBufferPointer) -> UInt32 {
        var crc = crc32(0, nil, 0)
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return UInt32(crc) }
        var offset = 0
        while offset < buffer.count {
            // zlib takes a 32-bit length: large buffers go in chunks.
            let length = min(buffer.count - offset, 1 << 30)
            crc = crc32(crc, base + offset, uInt(length))
            offset += length
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
