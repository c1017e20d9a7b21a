#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import DoppelTable
import DoppelFiles

/// gzip (RFC 1952) through zlib: whole-buffer inflation for reading, streaming deflation for
/// writing. The `z_stream` lives on the heap because zlib keeps a pointer to it in its state.
enum Gzip {
    /// True when `bytes` start with the gzip magic number.
    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates all gzip members of `input` (concatenated members are one stream, RFC 1952 §2.2)
    /// into one malloc'ed block. Zero padding after the last member is ignored.
    static func inflate(_ input: UnsafeRawBufferPointer, path: String) throws(DataFileError) -> BufferStorage {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        guard inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataFileError(file: path, message: "cannot initialise gzip decompression")
        }
        defer { inflateEnd(stream) }

        var capacity = max(1 << 16, input.count * 4)
        guard var output = malloc(capacity)?.assumingMemoryBound(to: UInt8.self) else {
            throw DataFileError(file: path, message: "out of memory for decompressed data")
        }
        var produced = 0
        var consumed = 0
        let base = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }
        let maxFeed = 1 << 30
        while true {
            if stream.pointee.avail_in == 0 && consumed < input.count, let base {
                let feed = min(maxFeed, input.count - consumed)
                stream.pointee.next_in = base + consumed
                stream.pointee.avail_in = UInt32(feed)
                consumed += feed
            }
            if produced == capacity {
                capacity += capacity / 2
                guard let grown = realloc(output, capacity) else {
                    free(output)
                    throw DataFileError(file: path, message: "out of memory for decompressed data")
                }
                output = grown.assumingMemoryBound(to: UInt8.self)
            }
            let room = min(capacity - produced, maxFeed)
            stream.pointee.next_out = output + produced
            stream.pointee.avail_out = UInt32(room)
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            produced += room - Int(stream.pointee.avail_out)
            if status == Z_STREAM_END {
                let left = Int(stream.pointee.avail_in) + (input.count - consumed)
                let rest = UnsafeRawBufferPointer(rebasing: input[(input.count - left)...])
                if left == 0 || rest.allSatisfy({ $0 == 0 }) { break }
                guard hasMagic(rest) else {
                    free(output)
                    throw DataFileError(file: path, message: "bad gzip data: unexpected bytes after the compressed stream")
                }
                inflateReset(stream)
                continue
            }
            if status == Z_OK { continue }
            if status == Z_BUF_ERROR && stream.pointee.avail_in == 0 && consumed == input.count {
                free(output)
                throw DataFileError(file: path, message: "bad gzip data: the compressed stream is truncated")
            }
            if status == Z_BUF_ERROR { continue }
            let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            free(output)
            throw DataFileError(file: path, message: "bad gzip data: \(reason)")
        }
        if produced == 0 {
            free(output)
            return BufferStorage(borrowing: UnsafeRawPointer(bitPattern: 64)!, byteCount: 0, release: nil)
        }
        let shrunk = realloc(output, produced) ?? UnsafeMutableRawPointer(output)
        return BufferStorage(borrowing: UnsafeRawPointer(shrunk), byteCount: produced) { pointer, _ in
            free(UnsafeMutableRawPointer(mutating: pointer))
        }
    }
}

/// Streaming gzip compression: bytes in, compressed bytes out through `emit`.
struct GzipCompressor: ~Copyable {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output: [UInt8]
    private let path: String

    init(level: Int32 = 6, path: String) throws(DataFileError) {
        self.path = path
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = [UInt8](repeating: 0, count: 1 << 18)
        guard deflateInit2_(stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw DataFileError(file: path, message: "cannot initialise gzip compression")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `bytes`; `emit` receives compressed output as it fills up.
    mutating func compress(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) throws(DataFileError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(bytes.count)
        try run(flush: Z_NO_FLUSH, emit: emit)
    }

    /// Flushes the rest and writes the gzip trailer.
    mutating func finish(emit: (UnsafeRawBufferPointer) -> Void) throws(DataFileError) {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        try run(flush: Z_FINISH, emit: emit)
    }

    private mutating func run(flush: Int32, emit: (UnsafeRawBufferPointer) -> Void) throws(DataFileError) {
        let capacity = output.count
        let stream = self.stream
        var failure: Int32?
        output.withUnsafeMutableBytes { out in
            let outBase = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
            while true {
                stream.pointee.next_out = outBase
                stream.pointee.avail_out = UInt32(capacity)
                let status = deflate(stream, flush)
                let made = capacity - Int(stream.pointee.avail_out)
                if made > 0 { emit(UnsafeRawBufferPointer(start: outBase, count: made)) }
                if status == Z_STREAM_END { return }
                if status != Z_OK && status != Z_BUF_ERROR { failure = status; return }
                if flush == Z_NO_FLUSH && stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 { return }
            }
        }
        if let failure { throw DataFileError(file: path, message: "gzip compression failed (zlib error \(failure))") }
    }
}
