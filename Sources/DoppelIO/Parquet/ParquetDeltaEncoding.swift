/// Decoders of the delta encodings (parquet-format `Encodings.md`): DELTA_BINARY_PACKED (5),
/// DELTA_LENGTH_BYTE_ARRAY (6) and DELTA_BYTE_ARRAY (7).
enum DeltaEncoding {
    /// Decodes a DELTA_BINARY_PACKED stream of at most `maxCount` values. Returns the values and
    /// the bytes consumed (the stream ends after the last miniblock holding values).
    ///
    /// Layout: header `<block size> <miniblocks per block> <total count> <first value>`, then
    /// blocks of `<min delta> <one bit width per miniblock> <bit-packed miniblocks>`; each value
    /// is the previous one plus `min delta` plus the packed number (wrapping arithmetic).
    static func decodeBinaryPacked(_ data: UnsafeRawBufferPointer, maxCount: Int) throws -> (values: [Int64], consumed: Int) {
        var cursor = ByteCursor(data)
        let blockSize = try cursor.varint()
        let miniblocks = try cursor.varint()
        let total = try cursor.varint()
        let first = try cursor.zigzag()
        guard blockSize > 0, blockSize <= 1 << 20, miniblocks > 0, miniblocks <= blockSize, blockSize % miniblocks == 0 else {
            throw ParquetDecodeError("invalid DELTA_BINARY_PACKED header (block size \(blockSize), \(miniblocks) miniblocks)")
        }
        let perMiniblock = Int(blockSize / miniblocks)
        guard perMiniblock % 8 == 0 else { throw ParquetDecodeError("DELTA_BINARY_PACKED miniblock size \(perMiniblock) is not a multiple of 8") }
        guard total <= UInt64(maxCount) else { throw ParquetDecodeError("DELTA_BINARY_PACKED stream claims \(total) values, the page has \(maxCount)") }
        let count = Int(total)
        var values = [Int64]()
        values.reserveCapacity(count)
        if count == 0 { return (values, cursor.position) }
        values.append(first)
        var last = first
        var deltas = [UInt64](repeating: 0, count: perMiniblock)
        while values.count < count {
            let minDelta = try cursor.zigzag()
            let widths = try cursor.take(Int(miniblocks))
            for m in 0..<Int(miniblocks) where values.count < count {
                let width = Int(widths[m])
                guard width <= 64 else { throw ParquetDecodeError("DELTA_BINARY_PACKED bit width \(width) exceeds 64") }
                let n = min(perMiniblock, count - values.count)
                let full = perMiniblock * width / 8
                let needed = (n * width + 7) / 8
                guard cursor.remaining >= needed else { throw ParquetDecodeError("DELTA_BINARY_PACKED miniblock runs past the end of the page") }
                let packed = try cursor.take(min(full, cursor.remaining))
                deltas.withUnsafeMutableBufferPointer { BitPacking.unpack64(packed, count: n, width: width, into: $0.baseAddress!) }
                for i in 0..<n {
                    last = last &+ minDelta &+ Int64(bitPattern: deltas[i])
                    values.append(last)
                }
            }
        }
        return (values, cursor.position)
    }

    /// Decodes `count` byte arrays in DELTA_LENGTH_BYTE_ARRAY: delta-packed lengths, then the
    /// bytes back to back. Calls `emit` with each value.
    static func decodeLengthByteArray(_ data: UnsafeRawBufferPointer, count: Int, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let (lengths, consumed) = try decodeBinaryPacked(data, maxCount: count)
        guard lengths.count == count else { throw ParquetDecodeError("DELTA_LENGTH_BYTE_ARRAY has \(lengths.count) lengths for \(count) values") }
        var cursor = ByteCursor(data)
        cursor.position = consumed
        for length in lengths {
            guard length >= 0 else { throw ParquetDecodeError("negative byte array length") }
            try emit(try cursor.take(Int(length)))
        }
        return cursor.position
    }

    /// Decodes `count` byte arrays in DELTA_BYTE_ARRAY (incremental / front coding): delta-packed
    /// prefix lengths, then the suffixes as DELTA_LENGTH_BYTE_ARRAY; value `i` is the first
    /// `prefix[i]` bytes of value `i - 1` followed by suffix `i`.
    static func decodeByteArray(_ data: UnsafeRawBufferPointer, count: Int, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        let (prefixes, consumed) = try decodeBinaryPacked(data, maxCount: count)
        guard prefixes.count == count else { throw ParquetDecodeError("DELTA_BYTE_ARRAY has \(prefixes.count) prefix lengths for \(count) values") }
        var previous: [UInt8] = []
        var current: [UInt8] = []
        var index = 0
        _ = try decodeLengthByteArray(UnsafeRawBufferPointer(rebasing: data[consumed...]), count: count) { (suffix: UnsafeRawBufferPointer) throws in
            let prefix = prefixes[index]
            guard prefix >= 0, prefix <= Int64(previous.count) else {
                throw ParquetDecodeError("DELTA_BYTE_ARRAY prefix length \(prefix) exceeds the previous value's \(previous.count) bytes")
            }
            current.removeAll(keepingCapacity: true)
            current.append(contentsOf: previous[0..<Int(prefix)])
            current.append(contentsOf: suffix)
            try current.withUnsafeBytes { (b: UnsafeRawBufferPointer) throws in try emit(b) }
            swap(&previous, &current)
            index += 1
        }
    }
}
