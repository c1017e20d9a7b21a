import DoppelTable

/// String layouts: Utf8 (zero copy), large_utf8 (offsets narrowed) and utf8_view (gathered).
extension ArrowColumnDecoder {
    /// A Utf8 array, zero copy, after checking that offsets rise and stay inside the data.
    mutating func utf8(count n: Int) throws(ArrowFormatError) -> StringArray {
        let raw = try cursor.buffer(limit: (n + 1) * 4)
        if n == 0 && raw.bytes.count < 4 {
            _ = try cursor.buffer(limit: 0)
            return StringArray(offsets: Buffer([0]), bytes: Buffer())
        }
        let offsets = try fixed(raw, count: n + 1, as: Int32.self)
        let (first, last, rising) = offsets.withUnsafeBufferPointer { o -> (Int32, Int32, Bool) in
            var rising = true
            for i in 0..<n where o[i + 1] < o[i] { rising = false }
            return (o[0], o[n], rising)
        }
        guard rising, first >= 0 else { throw ArrowFormatError("string offsets decrease or are negative") }
        let data = try cursor.buffer(limit: Int(last))
        guard Int(last) <= data.bytes.count else {
            throw ArrowFormatError("string offsets point outside the \(data.bytes.count)-byte data buffer")
        }
        return StringArray(offsets: offsets, bytes: data.view(count: Int(last), as: UInt8.self))
    }

    /// A large_utf8 array: offsets are checked, re-based to 0 and narrowed to Int32.
    mutating func largeUtf8(count n: Int) throws(ArrowFormatError) -> StringArray {
        let raw = try cursor.buffer(limit: (n + 1) * 8)
        if n == 0 && raw.bytes.count < 8 {
            _ = try cursor.buffer(limit: 0)
            return StringArray(offsets: Buffer([0]), bytes: Buffer())
        }
        let offsets = try checked(raw, count: n + 1, width: 8)
        func offset(_ i: Int) -> Int64 { offsets.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self) }
        let first = offset(0), last = offset(n)
        guard first >= 0, first <= last else { throw ArrowFormatError("string offsets decrease or are negative") }
        guard last - first <= Int64(Int32.max) else {
            throw ArrowFormatError("large_utf8 column holds \(last - first) bytes of text, more than the 2 GiB a column can hold")
        }
        var rising = true
        let narrowed = withExtendedLifetime(raw) {
            convert(count: n + 1) { i -> Int32 in
                if i > 0 && offset(i) < offset(i - 1) { rising = false }
                return Int32(truncatingIfNeeded: min(max(offset(i), first), last) - first)
            }
        }
        guard rising else { throw ArrowFormatError("string offsets decrease") }
        let data = try cursor.buffer(limit: Int(last))
        guard last <= Int64(data.bytes.count) else {
            throw ArrowFormatError("string offsets point outside the \(data.bytes.count)-byte data buffer")
        }
        let text = data.slice(Int(first)..<Int(last))
        return StringArray(offsets: narrowed, bytes: text.view(count: text.bytes.count, as: UInt8.self))
    }

    /// A utf8_view array (Arrow's "variable-size binary view" layout), copied into offsets and
    /// bytes. Each 16-byte view holds an int32 length, then either the string itself (up to 12
    /// bytes) or a 4-byte prefix, an int32 data buffer index and an int32 offset into it; the
    /// number of data buffers comes from the batch's `variadicBufferCounts`.
    mutating func utf8View(count n: Int) throws(ArrowFormatError) -> StringArray {
        let views = try cursor.buffer(limit: n * 16)
        let viewBytes = try checked(views, count: n, width: 16)
        let bufferCount = try cursor.variadicBufferCount()
        var total = 0
        for row in 0..<n {
            let length = Int(viewBytes.loadUnaligned(fromByteOffset: 16 * row, as: Int32.self))
            guard length >= 0 else { throw ArrowFormatError("negative string length in a utf8_view array") }
            total += length
            guard total <= Int(Int32.max) else { throw ArrowFormatError("utf8_view column holds more than the 2 GiB of text a column can hold") }
        }
        // Writers store whole data buffers even for a slice, so a compressed data buffer may
        // hold more than the strings in view; allow 64 MiB beyond them.
        var data: [ArrowBodyBuffer] = []
        for _ in 0..<bufferCount { data.append(try cursor.buffer(limit: total + (1 << 26))) }
        var offsets = BufferBuilder<Int32>(capacity: n + 1)
        var bytes = BufferBuilder<UInt8>(capacity: total)
        offsets.append(0)
        for row in 0..<n {
            let view = UnsafeRawBufferPointer(rebasing: viewBytes[(16 * row)..<(16 * row + 16)])
            let length = Int(view.loadUnaligned(as: Int32.self))
            if length <= 12 {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: view.assumingMemoryBound(to: UInt8.self)[4..<(4 + length)]))
            } else {
                let index = Int(view.loadUnaligned(fromByteOffset: 8, as: Int32.self))
                let offset = Int(view.loadUnaligned(fromByteOffset: 12, as: Int32.self))
                guard index >= 0, index < data.count, offset >= 0, offset <= data[index].bytes.count - length else {
                    throw ArrowFormatError("a utf8_view string at row \(row + 1) points outside its data buffers")
                }
                let source = data[index]
                withExtendedLifetime(source) {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source.bytes.assumingMemoryBound(to: UInt8.self)[offset..<(offset + length)]))
                }
            }
            offsets.append(Int32(truncatingIfNeeded: bytes.count))
        }
        return StringArray(offsets: offsets.finish(), bytes: bytes.finish())
    }
}
