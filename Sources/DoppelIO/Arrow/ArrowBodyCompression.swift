import CLZ4
import CZstd
import DoppelTable

/// Decompression of record batch bodies written with `BodyCompression` (Message.fbs): each
/// buffer is compressed on its own and starts with its uncompressed length as int64; a length
/// of -1 means the bytes that follow are stored uncompressed. Codecs: LZ4 frame format and
/// Zstandard (what `pyarrow.feather.write_feather` and `IpcWriteOptions(compression=...)` write).
enum ArrowBodyCompression {
    case lz4Frame
    case zstd

    /// `CompressionType` values of `BodyCompression.codec`.
    init(codec: UInt8) throws(ArrowFormatError) {
        switch codec {
        case 0: self = .lz4Frame
        case 1: self = .zstd
        default: throw ArrowFormatError("unknown body compression codec \(codec)")
        }
    }

    /// The decompressed bytes of one body buffer, which may hold at most `limit` bytes
    /// (so that a corrupted length cannot make us allocate without bound).
    func decompress(_ raw: UnsafeRawBufferPointer, limit: Int) throws(ArrowFormatError) -> Buffer<UInt8> {
        guard raw.count >= 8 else { throw ArrowFormatError("a compressed buffer is shorter than its 8-byte length prefix") }
        let declared = Int64(littleEndian: raw.loadUnaligned(as: Int64.self))
        let payload = UnsafeRawBufferPointer(rebasing: raw[8...])
        if declared == -1 { return Buffer(payload) }
        guard declared >= 0, declared <= Int64(limit) else {
            throw ArrowFormatError("a compressed buffer declares \(declared) bytes, more than its column needs (\(limit))")
        }
        let size = Int(declared)
        guard size > 0 else { return Buffer() }
        var out = BufferBuilder<UInt8>(capacity: size)
        var produced = 0
        var failure: String?
        out.appendUninitialized(count: size) { dst in
            let target = UnsafeMutableRawBufferPointer(dst)
            switch self {
            case .zstd: (produced, failure) = ArrowBodyCompression.zstd(payload, into: target)
            case .lz4Frame: (produced, failure) = ArrowBodyCompression.lz4Frame(payload, into: target)
            }
        }
        if let failure { throw ArrowFormatError("cannot decompress a buffer: \(failure)") }
        guard produced == size else { throw ArrowFormatError("a buffer decompressed to \(produced) bytes instead of \(size)") }
        return out.finish()
    }

    private static func zstd(_ source: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer) -> (Int, String?) {
        guard let src = source.baseAddress, let dst = target.baseAddress else { return (0, "empty zstd frame") }
        let result = ZSTD_decompress(dst, target.count, src, source.count)
        if ZSTD_isError(result) != 0 { return (0, String(cString: ZSTD_getErrorName(result))) }
        return (result, nil)
    }

    private static func lz4Frame(_ source: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer) -> (Int, String?) {
        guard let src = source.baseAddress, let dst = target.baseAddress else { return (0, "empty lz4 frame") }
        var context: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, let context else {
            return (0, "cannot create an lz4 context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        var consumed = 0, produced = 0
        while consumed < source.count && produced < target.count {
            var dstSize = target.count - produced
            var srcSize = source.count - consumed
            let hint = LZ4F_decompress(context, dst + produced, &dstSize, src + consumed, &srcSize, nil)
            if LZ4F_isError(hint) != 0 { return (produced, String(cString: LZ4F_getErrorName(hint))) }
            consumed += srcSize
            produced += dstSize
            if hint == 0 { break }
            if srcSize == 0 && dstSize == 0 { return (produced, "lz4 frame makes no progress") }
        }
        return (produced, nil)
    }
}
