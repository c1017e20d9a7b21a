import DoppelTable

/// One encoded column chunk: its pages (headers included) and metadata whose offsets are
/// relative to the chunk's start until the writer places it in the file.
struct EncodedChunk: Sendable {
    var bytes: [UInt8] = []
    var meta: ColumnMetaData
    var hasDictionary = false
}

/// Encodes one column (a row group's slice) as a Parquet column chunk: an optional dictionary
/// page, then v1 data pages of about `pageBytes` each, with RLE definition levels (every column
/// is written OPTIONAL), PLAIN or RLE_DICTIONARY values, and min/max/null-count statistics.
struct ParquetChunkEncoder {
    let codec: ParquetCodec
    var pageBytes = 1 << 20
    /// Longest string kept in statistics (longer min/max values are left out).
    static let maxStatisticsBytes = 64

    func encode(_ column: Column, name: String) -> EncodedChunk {
        var meta = ColumnMetaData()
        meta.type = ParquetSchemaWriter.physicalType(column.type)
        meta.path = [name]
        meta.codecValue = codec.rawValue
        meta.numValues = Int64(column.count)
        var chunk = EncodedChunk(meta: meta)
        var statistics = ParquetStatistics()
        statistics.nullCount = Int64(column.nullCount)
        switch column {
        case .int64(let c), .timestamp(let c):
            statistics.minValue = nil
            (statistics.minValue, statistics.maxValue) = ParquetChunkEncoder.integerRange(c)
            writeFixedPages(&chunk, column, width: 8) { rows, out in appendPresent(c, rows, &out) }
        case .float64(let c):
            (statistics.minValue, statistics.maxValue) = ParquetChunkEncoder.doubleRange(c)
            writeFixedPages(&chunk, column, width: 8) { rows, out in appendPresent(c, rows, &out) }
        case .date(let c), .int32(let c):
            (statistics.minValue, statistics.maxValue) = ParquetChunkEncoder.integerRange(c)
            writeFixedPages(&chunk, column, width: 4) { rows, out in appendPresent(c, rows, &out) }
        case .int8(let c):
            return encode(.int32(c.converted(to: Int32.self)), name: name)
        case .int16(let c):
            return encode(.int32(c.converted(to: Int32.self)), name: name)
        case .bool(let c):
            (statistics.minValue, statistics.maxValue) = ParquetChunkEncoder.integerRange(c)
            writeFixedPages(&chunk, column, width: 1) { rows, out in appendBits(c, rows, &out) }
        case .string(let c):
            writeStrings(&chunk, c, &statistics)
        }
        chunk.meta.statistics = statistics
        return chunk
    }

    // MARK: Pages

    /// Appends a page (header + compressed body) to the chunk.
    private func appendPage(_ chunk: inout EncodedChunk, type: ParquetPageType, body: [UInt8], values: Int, encoding: ParquetEncoding) {
        var compressed: [UInt8] = []
        if codec == .uncompressed {
            compressed = body
        } else {
            compressed.reserveCapacity(body.count / 2 + 64)
            body.withUnsafeBytes { ParquetCompressionCodec.compress(codec, $0, appendingTo: &compressed) }
        }
        let header = PageHeader.encode(type: type, uncompressedSize: body.count, compressedSize: compressed.count, numValues: values, encoding: encoding)
        chunk.bytes.append(contentsOf: header)
        chunk.bytes.append(contentsOf: compressed)
        chunk.meta.totalUncompressedSize += Int64(header.count + body.count)
        chunk.meta.totalCompressedSize += Int64(header.count + compressed.count)
    }

    /// Definition levels of `rows` (1 = present) as a v1 page prefix: 4-byte length + RLE.
    private func definitionLevels(_ column: Column, _ rows: Range<Int>) -> [UInt8] {
        var encoded: [UInt8]
        if let validity = column.validity, validity.slice(rows).nullCount > 0 {
            var encoder = RLEHybridEncoder(width: 1)
            let levels = [UInt32](unsafeUninitializedCapacity: rows.count) { buffer, initialized in
                for (i, row) in rows.enumerated() { buffer[i] = validity.isValid(row) ? 1 : 0 }
                initialized = rows.count
            }
            levels.withUnsafeBufferPointer { encoder.encode($0) }
            encoded = encoder.finish()
        } else {
            // Every row present: one RLE run of 1s.
            encoded = []
            var header = UInt64(rows.count) << 1
            while header >= 0x80 { encoded.append(UInt8(header & 0x7F) | 0x80); header >>= 7 }
            encoded.append(UInt8(header))
            encoded.append(1)
        }
        let length = UInt32(encoded.count)
        var out: [UInt8] = [UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24)]
        out.append(contentsOf: encoded)
        return out
    }

    private func pageRanges(count: Int, bytesPerRow: Int) -> [Range<Int>] {
        let rowsPerPage = max(1024, pageBytes / max(bytesPerRow, 1))
        return stride(from: 0, to: count, by: rowsPerPage).map { $0..<min($0 + rowsPerPage, count) }
    }

    private func writeFixedPages(_ chunk: inout EncodedChunk, _ column: Column, width: Int, _ values: (Range<Int>, inout [UInt8]) -> Void) {
        chunk.meta.encodings = [ParquetEncoding.plain.rawValue, ParquetEncoding.rle.rawValue]
        chunk.meta.dataPageOffset = 0
        for rows in pageRanges(count: column.count, bytesPerRow: width) {
            var body = definitionLevels(column, rows)
            body.reserveCapacity(body.count + rows.count * width)
            values(rows, &body)
            appendPage(&chunk, type: .dataPage, body: body, values: rows.count, encoding: .plain)
        }
    }

    // MARK: Strings

    private func writeStrings(_ chunk: inout EncodedChunk, _ column: StringColumn, _ statistics: inout ParquetStatistics) {
        let count = column.count
        if let (dictionary, codes) = ParquetChunkEncoder.dictionaryEncode(column) {
            chunk.hasDictionary = true
            chunk.meta.encodings = [ParquetEncoding.plain.rawValue, ParquetEncoding.rle.rawValue, ParquetEncoding.rleDictionary.rawValue]
            var page: [UInt8] = []
            page.reserveCapacity(dictionary.byteCount + 4 * dictionary.count)
            var low: UnsafeBufferPointer<UInt8>? = nil, high: UnsafeBufferPointer<UInt8>? = nil
            for i in 0..<dictionary.count {
                let s = dictionary.utf8(i)
                appendByteArray(s, &page)
                if low == nil || ParquetChunkEncoder.less(s, low!) { low = s }
                if high == nil || ParquetChunkEncoder.less(high!, s) { high = s }
            }
            ParquetChunkEncoder.setStringRange(&statistics, low, high)
            appendPage(&chunk, type: .dictionaryPage, body: page, values: dictionary.count, encoding: .plain)
            chunk.meta.dataPageOffset = chunk.meta.totalCompressedSize
            let width = BitPacking.bitWidth(UInt64(max(dictionary.count - 1, 0)))
            let asColumn = Column.string(column)
            for rows in pageRanges(count: count, bytesPerRow: 4) {
                var body = definitionLevels(asColumn, rows)
                body.append(UInt8(width))
                var encoder = RLEHybridEncoder(width: width)
                var present: [UInt32] = []
                present.reserveCapacity(rows.count)
                for row in rows where column.isValid(row) { present.append(UInt32(codes[row])) }
                present.withUnsafeBufferPointer { encoder.encode($0) }
                body.append(contentsOf: encoder.finish())
                appendPage(&chunk, type: .dataPage, body: body, values: rows.count, encoding: .rleDictionary)
            }
            return
        }
        chunk.meta.encodings = [ParquetEncoding.plain.rawValue, ParquetEncoding.rle.rawValue]
        chunk.meta.dataPageOffset = 0
        var low: UnsafeBufferPointer<UInt8>? = nil, high: UnsafeBufferPointer<UInt8>? = nil
        var totalBytes = 0
        for row in 0..<count where column.isValid(row) {
            let s = column.utf8(row)
            totalBytes += s.count
            if low == nil || ParquetChunkEncoder.less(s, low!) { low = s }
            if high == nil || ParquetChunkEncoder.less(high!, s) { high = s }
        }
        ParquetChunkEncoder.setStringRange(&statistics, low, high)
        let asColumn = Column.string(column)
        for rows in pageRanges(count: count, bytesPerRow: 4 + totalBytes / max(count, 1)) {
            var body = definitionLevels(asColumn, rows)
            appendByteArrays(column, rows, &body)
            appendPage(&chunk, type: .dataPage, body: body, values: rows.count, encoding: .plain)
        }
    }

    /// A compact dictionary (in order of first use) and one code per row, or `nil` when the
    /// column has too many distinct values for a dictionary to pay off.
    static func dictionaryEncode(_ column: StringColumn) -> (StringArray, [Int32])? {
        let count = column.count
        let limit = max(64, count / 2)
        var codes = [Int32](repeating: 0, count: count)
        switch column.storage {
        case .dictionary(let source, let dictionary):
            var remap = [Int32](repeating: -1, count: dictionary.count)
            var builder = StringArrayBuilder()
            for row in 0..<count where column.isValid(row) {
                let code = Int(source[row])
                if remap[code] < 0 {
                    remap[code] = Int32(builder.count)
                    builder.append(utf8: dictionary.utf8(code))
                    if builder.count > limit { return nil }
                }
                codes[row] = remap[code]
            }
            return (builder.finish(), codes)
        case .plain(let strings):
            var interner = StringInterner()
            let sample = min(count, 10_000)
            for row in 0..<count where column.isValid(row) {
                codes[row] = interner.intern(strings.utf8(row))
                if interner.count > limit || (row + 1 == sample && interner.count > sample / 2) { return nil }
            }
            return (interner.finish(), codes)
        }
    }

    // MARK: Statistics

    static func less(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.lexicographicallyPrecedes(b)
    }

    static func setStringRange(_ statistics: inout ParquetStatistics, _ low: UnsafeBufferPointer<UInt8>?, _ high: UnsafeBufferPointer<UInt8>?) {
        guard let low, let high, low.count <= maxStatisticsBytes, high.count <= maxStatisticsBytes else { return }
        statistics.minValue = Array(low)
        statistics.maxValue = Array(high)
    }

    static func integerRange<T: FixedWidthInteger>(_ c: PrimitiveColumn<T>) -> ([UInt8]?, [UInt8]?) {
        var low = T.max, high = T.min, any = false
        c.values.withUnsafeBufferPointer { v in
            for row in 0..<v.count where c.isValid(row) {
                low = min(low, v[row])
                high = max(high, v[row])
                any = true
            }
        }
        guard any else { return (nil, nil) }
        return (littleEndianBytes(low), littleEndianBytes(high))
    }

    /// Min/max ignoring NaN; -0.0 for a zero minimum and +0.0 for a zero maximum, as the
    /// format asks.
    static func doubleRange(_ c: PrimitiveColumn<Double>) -> ([UInt8]?, [UInt8]?) {
        var low = Double.infinity, high = -Double.infinity, any = false
        c.values.withUnsafeBufferPointer { v in
            for row in 0..<v.count where c.isValid(row) && !v[row].isNaN {
                low = min(low, v[row])
                high = max(high, v[row])
                any = true
            }
        }
        guard any else { return (nil, nil) }
        if low == 0 { low = -0.0 }
        if high == 0 { high = 0.0 }
        return (littleEndianBytes(low.bitPattern), littleEndianBytes(high.bitPattern))
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}

private func appendPresent<T>(_ c: PrimitiveColumn<T>, _ rows: Range<Int>, _ out: inout [UInt8]) {
    c.values.withUnsafeBufferPointer { v in
        guard let validity = c.validity else {
            out.append(contentsOf: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: v[rows])))
            return
        }
        let present = rows.count - validity.slice(rows).nullCount
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: present * MemoryLayout<T>.stride))
        out.withUnsafeMutableBytes { raw in
            let dst = raw.baseAddress! + start
            var j = 0
            for row in rows where validity.isValid(row) {
                dst.storeBytes(of: v[row], toByteOffset: j * MemoryLayout<T>.stride, as: T.self)
                j += 1
            }
        }
    }
}

/// PLAIN booleans: one bit per present value, least significant bit first.
private func appendBits(_ c: PrimitiveColumn<UInt8>, _ rows: Range<Int>, _ out: inout [UInt8]) {
    var byte: UInt8 = 0, bits = 0
    for row in rows where c.isValid(row) {
        if c.values[row] != 0 { byte |= 1 << UInt8(bits) }
        bits += 1
        if bits == 8 { out.append(byte); byte = 0; bits = 0 }
    }
    if bits > 0 { out.append(byte) }
}

/// PLAIN byte arrays of the present rows: 4-byte little-endian length, then the bytes.
private func appendByteArrays(_ column: StringColumn, _ rows: Range<Int>, _ out: inout [UInt8]) {
    var needed = 0
    for row in rows where column.isValid(row) { needed += 4 + column.utf8(row).count }
    let start = out.count
    out.append(contentsOf: repeatElement(0, count: needed))
    out.withUnsafeMutableBytes { raw in
        var p = raw.baseAddress! + start
        for row in rows where column.isValid(row) {
            let s = column.utf8(row)
            p.storeBytes(of: UInt32(s.count).littleEndian, as: UInt32.self)
            if s.count > 0 { (p + 4).copyMemory(from: s.baseAddress!, byteCount: s.count) }
            p += 4 + s.count
        }
    }
}

private func appendByteArray(_ s: UnsafeBufferPointer<UInt8>, _ out: inout [UInt8]) {
    let n = UInt32(s.count)
    out.append(UInt8(truncatingIfNeeded: n))
    out.append(UInt8(truncatingIfNeeded: n >> 8))
    out.append(UInt8(truncatingIfNeeded: n >> 16))
    out.append(UInt8(truncatingIfNeeded: n >> 24))
    out.append(contentsOf: s)
}
