import CLZ4
import CSnappy
import CZlib
import CZstd

/// A problem inside a page or chunk; the reader adds the file, row group, column and page.
struct ParquetDecodeError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The words of a decoding or metadata error.
func parquetMessage(_ error: any Error) -> String {
    if let e = error as? ParquetDecodeError { return e.message }
    if let e = error as? ThriftError { return e.message }
    return "\(error)"
}

/// Page compression with the system's zstd, snappy, zlib and lz4 libraries.
enum ParquetCompressionCodec {
    /// Decompresses `source` into `destination`, which must be exactly the page's
    /// uncompressed size; anything else is an error (corrupt page or header).
    static func decompress(_ codec: ParquetCodec, _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws {
        let expected = destination.count
        guard let dst = destination.baseAddress else {
            if expected == 0 { return }
            throw ParquetDecodeError("empty destination")
        }
        let src = source.baseAddress ?? UnsafeRawPointer(dst)
        switch codec {
        case .uncompressed:
            guard source.count == expected else { throw ParquetDecodeError("uncompressed page holds \(source.count) bytes, header says \(expected)") }
            copyBytes(src, to: dst, count: expected)
        case .snappy:
            var length = 0
            guard snappy_uncompressed_length(src.assumingMemoryBound(to: CChar.self), source.count, &length) == SNAPPY_OK, length == expected else {
                throw ParquetDecodeError("snappy data does not decompress to the \(expected) bytes the page header promises")
            }
            guard snappy_uncompress(src.assumingMemoryBound(to: CChar.self), source.count, dst.assumingMemoryBound(to: CChar.self), &length) == SNAPPY_OK, length == expected else {
                throw ParquetDecodeError("corrupt snappy data")
            }
        case .zstd:
            let n = ZSTD_decompress(dst, expected, src, source.count)
            guard ZSTD_isError(n) == 0 else { throw ParquetDecodeError("corrupt zstd data: \(String(cString: ZSTD_getErrorName(n)))") }
            guard n == expected else { throw ParquetDecodeError("zstd data decompressed to \(n) bytes, header says \(expected)") }
        case .lz4Raw:
            guard source.count <= Int(Int32.max), expected <= Int(Int32.max) else { throw ParquetDecodeError("page too large for LZ4") }
            let n = LZ4_decompress_safe(src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self), Int32(source.count), Int32(expected))
            guard n == Int32(expected) else { throw ParquetDecodeError("corrupt lz4 data") }
        case .gzip:
            try inflate(source, into: destination)
        case .lzo, .brotli, .lz4:
            throw ParquetDecodeError("compression codec \(codec) is not supported (use snappy, gzip, zstd, lz4_raw or none)")
        }
    }

    /// A copy kept out of the throwing function's tail (see ``ParquetValueConversion/convert``).
    @inline(never) private static func copyBytes(_ source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, count: Int) {
        destination.copyMemory(from: source, byteCount: count)
    }

    private static func inflate(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws {
        var stream = z_stream()
        // 15 + 32: zlib or gzip header, detected automatically.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetDecodeError("cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(clamping: source.count)
        stream.next_out = destination.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = UInt32(clamping: destination.count)
        var status = Z_OK
        // Concatenated gzip members are legal; keep inflating while input and room remain.
        while true {
            status = CZlib.inflate(&stream, Z_FINISH)
            if status == Z_STREAM_END && stream.avail_in > 0 && stream.avail_out > 0 {
                guard inflateReset(&stream) == Z_OK else { break }
                continue
            }
            break
        }
        guard status == Z_STREAM_END || (status == Z_BUF_ERROR && stream.avail_out == 0 && stream.avail_in == 0) else {
            throw ParquetDecodeError("corrupt gzip data")
        }
        guard Int(stream.total_out) == destination.count || stream.avail_out == 0 else {
            throw ParquetDecodeError("gzip data decompressed to fewer bytes than the header says")
        }
    }

    /// Compresses `source`, appending to `output`.
    static func compress(_ codec: ParquetCodec, _ source: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        let n = source.count
        guard let src = source.baseAddress, n > 0 else {
            // An empty input still becomes a valid (empty) stream of the codec.
            let placeholder: [UInt8] = [0]
            placeholder.withUnsafeBytes { compress(codec, UnsafeRawBufferPointer(rebasing: $0[0..<0]), nonEmptyBase: $0.baseAddress!, appendingTo: &output) }
            return
        }
        compress(codec, source, nonEmptyBase: src, appendingTo: &output)
    }

    private static func compress(_ codec: ParquetCodec, _ source: UnsafeRawBufferPointer, nonEmptyBase src: UnsafeRawPointer, appendingTo output: inout [UInt8]) {
        let n = source.count
        let start = output.count
        switch codec {
        case .uncompressed:
            output.append(contentsOf: source)
        case .snappy:
            let bound = snappy_max_compressed_length(n)
            output.append(contentsOf: repeatElement(0, count: bound))
            var length = bound
            output.withUnsafeMutableBytes { out in
                _ = snappy_compress(src.assumingMemoryBound(to: CChar.self), n, (out.baseAddress! + start).assumingMemoryBound(to: CChar.self), &length)
            }
            output.removeLast(bound - length)
        case .zstd:
            let bound = ZSTD_compressBound(n)
            output.append(contentsOf: repeatElement(0, count: bound))
            let written = output.withUnsafeMutableBytes { out in ZSTD_compress(out.baseAddress! + start, bound, src, n, 1) }
            output.removeLast(bound - (ZSTD_isError(written) == 0 ? written : 0))
        case .lz4Raw:
            let bound = Int(LZ4_compressBound(Int32(n)))
            output.append(contentsOf: repeatElement(0, count: bound))
            let written = output.withUnsafeMutableBytes { out in
                LZ4_compress_default(src.assumingMemoryBound(to: CChar.self), (out.baseAddress! + start).assumingMemoryBound(to: CChar.self), Int32(n), Int32(bound))
            }
            output.removeLast(bound - Int(max(written, 0)))
        case .gzip:
            deflateGzip(source, appendingTo: &output)
        case .lzo, .brotli, .lz4:
            output.append(contentsOf: source)
        }
    }

    private static func deflateGzip(_ source: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        var stream = z_stream()
        // 15 + 16: gzip wrapper; level 6 as zlib's default.
        guard deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(source.count)))
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        output.withUnsafeMutableBytes { out in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(source.count)
            stream.next_out = (out.baseAddress! + start).assumingMemoryBound(to: UInt8.self)
            stream.avail_out = UInt32(bound)
            _ = CZlib.deflate(&stream, Z_FINISH)
        }
        output.removeLast(bound - Int(stream.total_out))
    }
}
