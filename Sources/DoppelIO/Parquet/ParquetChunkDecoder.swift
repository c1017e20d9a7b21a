import DoppelTable

/// Where one column chunk's rows go: a window of the column's full buffers, starting at the
/// chunk's first row. Chunks of one column write disjoint windows, so row groups can be
/// decoded in parallel.
struct ChunkDestination: @unchecked Sendable {
    /// `rowCount × targetWidth` bytes, zero-filled (missing values stay zero).
    let values: UnsafeMutableRawPointer
    /// One byte per row, 1 = present; `nil` for required columns.
    let valid: UnsafeMutablePointer<UInt8>?
    let rowCount: Int
}

/// The strings of a decoded chunk: codes were written into the destination (dictionary), or
/// the chunk switched to plain values (as writers do when a dictionary grows too large).
enum ChunkStrings: Sendable {
    case none
    case dictionary(StringArray)
    case plain(StringArray)
}

/// Holder of a plain-string builder (a non-copyable value) for the decoder class.
final class PlainStringSink {
    var builder = StringArrayBuilder()

    /// The strings appended so far; the sink starts over empty.
    func finish() -> StringArray {
        var done = StringArrayBuilder()
        swap(&done, &builder)
        return done.finish()
    }
}

/// Decodes the pages of one column chunk (parquet-format: data page v1/v2, dictionary page,
/// definition levels as RLE/bit-packed hybrid, values in PLAIN, dictionary, delta or
/// byte-stream-split encodings).
final class ColumnChunkDecoder {
    /// Largest page we accept (guards allocations against absurd headers).
    static let maxPageBytes = 1 << 30

    let file: UnsafeRawBufferPointer
    let leaf: ParquetLeaf
    let meta: ColumnMetaData
    let codec: ParquetCodec
    /// 1-based index of the page being decoded (0 before the first), for error messages.
    private(set) var pageNumber = 0

    private let pageScratch = ScratchMemory()
    private let levelScratch = ScratchMemory()
    private let indexScratch = ScratchMemory()
    private let valueScratch = ScratchMemory()
    private var dictionaryValues: [UInt8] = []
    private var dictionaryCount = 0
    private var dictionaryStrings: StringArray?
    private var plain: PlainStringSink?

    init(file: UnsafeRawBufferPointer, leaf: ParquetLeaf, meta: ColumnMetaData) throws {
        self.file = file
        self.leaf = leaf
        self.meta = meta
        guard let codec = ParquetCodec(rawValue: meta.codecValue) else { throw ParquetDecodeError("unknown compression codec \(meta.codecValue)") }
        self.codec = codec
        guard meta.type == leaf.physicalType else {
            throw ParquetDecodeError("chunk has physical type \(meta.type.name), the schema says \(leaf.physicalType.name)")
        }
    }

    /// Decodes every page into `destination`.
    func decode(into destination: ChunkDestination) throws -> ChunkStrings {
        guard meta.numValues == Int64(destination.rowCount) else {
            throw ParquetDecodeError("chunk holds \(meta.numValues) values for \(destination.rowCount) rows")
        }
        if destination.rowCount == 0 {
            if case .string = leaf.conversion { return .dictionary(StringArray([])) }
            return .none
        }
        var start = meta.dataPageOffset
        if let d = meta.dictionaryPageOffset, d > 0, d < start { start = d }
        let length = meta.totalCompressedSize
        guard start >= 4, length >= 0, start <= Int64(file.count), length <= Int64(file.count) - start else {
            throw ParquetDecodeError("chunk byte range \(start)+\(length) lies outside the file (\(file.count) bytes)")
        }
        var position = Int(start)
        let end = Int(start + length)
        var rowsDone = 0
        while rowsDone < destination.rowCount {
            guard position < end else { throw ParquetDecodeError("chunk ends after \(rowsDone) of \(destination.rowCount) rows") }
            pageNumber += 1
            var reader = ThriftReader(UnsafeRawBufferPointer(rebasing: file[position..<end]))
            let header: PageHeader
            do { header = try PageHeader(from: &reader) } catch { throw ParquetDecodeError("bad page header: \(parquetMessage(error))") }
            position += reader.position
            guard header.compressedSize >= 0, Int(header.compressedSize) <= end - position else {
                throw ParquetDecodeError("page of \(header.compressedSize) bytes runs past the end of the chunk")
            }
            guard header.uncompressedSize >= 0, Int(header.uncompressedSize) <= Self.maxPageBytes else {
                throw ParquetDecodeError("page claims an uncompressed size of \(header.uncompressedSize) bytes")
            }
            let body = UnsafeRawBufferPointer(rebasing: file[position..<(position + Int(header.compressedSize))])
            position += Int(header.compressedSize)
            switch header.type {
            case .dictionaryPage?:
                try readDictionaryPage(header, body)
            case .dataPage?:
                rowsDone += try readDataPage(header, body, version2: false, destination, rowsDone)
            case .dataPageV2?:
                rowsDone += try readDataPage(header, body, version2: true, destination, rowsDone)
            case .indexPage?, nil:
                continue
            }
        }
        if case .string = leaf.conversion {
            if let plain { return .plain(plain.finish()) }
            return .dictionary(dictionaryStrings ?? StringArray([]))
        }
        return .none
    }

    // MARK: Pages

    private func decompress(_ body: UnsafeRawBufferPointer, size: Int) throws -> UnsafeRawBufferPointer {
        if codec == .uncompressed {
            guard body.count == size else { throw ParquetDecodeError("uncompressed page holds \(body.count) bytes, header says \(size)") }
            return body
        }
        let p = try pageScratch.reserve(size)
        try ParquetCompressionCodec.decompress(codec, body, into: UnsafeMutableRawBufferPointer(start: p, count: size))
        return UnsafeRawBufferPointer(start: p, count: size)
    }

    private func readDictionaryPage(_ header: PageHeader, _ body: UnsafeRawBufferPointer) throws {
        let data = try decompress(body, size: Int(header.uncompressedSize))
        let n = Int(header.numValues)
        guard n >= 0, n <= data.count * 8 + 1 else { throw ParquetDecodeError("dictionary page claims \(n) values in \(data.count) bytes") }
        guard header.encoding == .plain || header.encoding == .plainDictionary else {
            throw ParquetDecodeError("dictionary page encoding \(header.encodingValue) is not PLAIN")
        }
        var cursor = ByteCursor(data)
        switch leaf.conversion {
        case .string:
            var builder = StringArrayBuilder(capacity: n, byteCapacity: data.count)
            for _ in 0..<n {
                let value = try nextByteArray(&cursor)
                if !UTF8Validation.isValid(value.bindMemory(to: UInt8.self)) { throw ParquetDecodeError("value is not valid UTF-8 text") }
                builder.append(utf8: value.bindMemory(to: UInt8.self))
            }
            dictionaryStrings = builder.finish()
        case .boolean:
            throw ParquetDecodeError("dictionary pages are not defined for BOOLEAN")
        default:
            let width = leaf.conversion.targetWidth
            dictionaryValues = [UInt8](repeating: 0, count: n * width)
            try dictionaryValues.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) throws in
                try decodePlainFixed(&cursor, count: n, into: out.baseAddress!)
            }
        }
        dictionaryCount = n
    }

    /// Decodes a data page; returns its row count.
    private func readDataPage(_ header: PageHeader, _ body: UnsafeRawBufferPointer, version2: Bool, _ destination: ChunkDestination, _ rowOffset: Int) throws -> Int {
        let n = Int(header.numValues)
        guard n >= 0, n <= destination.rowCount - rowOffset else {
            throw ParquetDecodeError("page holds \(n) values, only \(destination.rowCount - rowOffset) rows remain in the row group")
        }
        let values: UnsafeRawBufferPointer
        var levelBytes: UnsafeRawBufferPointer? = nil
        if version2 {
            let repetition = Int(header.repetitionLevelsByteLength), definition = Int(header.definitionLevelsByteLength)
            guard repetition >= 0, definition >= 0, repetition + definition <= body.count, repetition + definition <= Int(header.uncompressedSize) else {
                throw ParquetDecodeError("level lengths (\(repetition), \(definition)) exceed the page")
            }
            guard repetition == 0 else { throw ParquetDecodeError("repetition levels in a flat column") }
            levelBytes = UnsafeRawBufferPointer(rebasing: body[repetition..<(repetition + definition)])
            let compressedValues = UnsafeRawBufferPointer(rebasing: body[(repetition + definition)...])
            let valuesSize = Int(header.uncompressedSize) - repetition - definition
            if header.isCompressed && codec != .uncompressed {
                values = try decompress(compressedValues, size: valuesSize)
            } else {
                guard compressedValues.count == valuesSize else { throw ParquetDecodeError("page sizes disagree") }
                values = compressedValues
            }
        } else {
            let data = try decompress(body, size: Int(header.uncompressedSize))
            if leaf.maxDefinitionLevel > 0 {
                guard header.definitionLevelEncodingValue == ParquetEncoding.rle.rawValue else {
                    throw ParquetDecodeError("definition level encoding \(header.definitionLevelEncodingValue) is not supported (only RLE)")
                }
                var cursor = ByteCursor(data)
                let length = Int(try cursor.uint32())
                levelBytes = try cursor.take(length)
                values = cursor.rest
            } else {
                values = data
            }
        }
        // Definition levels: 1 = present, 0 = missing (flat optional columns).
        var levels: UnsafeMutablePointer<UInt32>? = nil
        var present = n
        if leaf.maxDefinitionLevel > 0, let levelBytes {
            let l = try levelScratch.typed(n, as: UInt32.self)
            try RLEHybrid.decode(levelBytes, width: 1, count: n, into: l)
            present = 0
            let valid = destination.valid! + rowOffset
            var invalid: UInt32 = 0
            for i in 0..<n {
                let level = l[i]
                invalid |= level
                valid[i] = UInt8(truncatingIfNeeded: level)
                present += Int(level)
            }
            guard invalid <= 1 else { throw ParquetDecodeError("definition level above the column's maximum of 1") }
            if present < n { levels = l }
        } else if let valid = destination.valid {
            (valid + rowOffset).initialize(repeating: 1, count: n)
        }
        if version2 && leaf.maxDefinitionLevel > 0 && Int(header.numNulls) != n - present {
            throw ParquetDecodeError("page header counts \(header.numNulls) nulls, the levels \(n - present)")
        }
        guard let encoding = header.encoding else { throw ParquetDecodeError("unknown encoding \(header.encodingValue)") }
        switch leaf.conversion {
        case .string:
            try decodeStrings(encoding, values, rows: n, present: present, levels: levels, destination, rowOffset)
        case .boolean:
            try decodeFixedPage(encoding, values, rows: n, present: present, levels: levels, destination, rowOffset)
        default:
            try decodeFixedPage(encoding, values, rows: n, present: present, levels: levels, destination, rowOffset)
        }
        return n
    }

    // MARK: Fixed-width values

    private func decodeFixedPage(_ encoding: ParquetEncoding, _ data: UnsafeRawBufferPointer, rows n: Int, present: Int, levels: UnsafeMutablePointer<UInt32>?, _ destination: ChunkDestination, _ rowOffset: Int) throws {
        guard present > 0 else { return }
        let width = leaf.conversion.targetWidth
        let direct = destination.values + rowOffset * width
        let out = levels == nil ? direct : try valueScratch.reserve(present * width)
        var cursor = ByteCursor(data)
        switch encoding {
        case .plain:
            if leaf.conversion == .boolean {
                let packed = try cursor.take((present + 7) / 8)
                let bits = try indexScratch.typed(present, as: UInt32.self)
                BitPacking.unpack32(packed, count: present, width: 1, into: bits)
                let dst = out.assumingMemoryBound(to: UInt8.self)
                for i in 0..<present { dst[i] = UInt8(truncatingIfNeeded: bits[i]) }
            } else {
                try decodePlainFixed(&cursor, count: present, into: out)
            }
        case .rle where leaf.conversion == .boolean:
            let length = Int(try cursor.uint32())
            let bits = try indexScratch.typed(present, as: UInt32.self)
            try RLEHybrid.decode(try cursor.take(length), width: 1, count: present, into: bits)
            let dst = out.assumingMemoryBound(to: UInt8.self)
            for i in 0..<present { dst[i] = bits[i] == 0 ? 0 : 1 }
        case .plainDictionary, .rleDictionary:
            guard dictionaryCount > 0 || present == 0 else { throw ParquetDecodeError("dictionary-encoded page without a dictionary page") }
            let indices = try decodeIndices(&cursor, count: present)
            try dictionaryValues.withUnsafeBytes { (dictionary: UnsafeRawBufferPointer) throws in
                try gather(dictionary.baseAddress!, indices, count: present, width: width, into: out)
            }
        case .deltaBinaryPacked:
            guard leaf.physicalType == .int32 || leaf.physicalType == .int64 else {
                throw ParquetDecodeError("DELTA_BINARY_PACKED is not defined for \(leaf.physicalType.name)")
            }
            let (decoded, _) = try DeltaEncoding.decodeBinaryPacked(cursor.rest, maxCount: present)
            guard decoded.count == present else { throw ParquetDecodeError("DELTA_BINARY_PACKED holds \(decoded.count) values for \(present)") }
            if leaf.physicalType == .int32 {
                let narrow = decoded.map { Int32(truncatingIfNeeded: $0) }
                if let e = narrow.withUnsafeBytes({ ParquetValueConversion.convert(leaf, $0.baseAddress!, count: present, into: out) }) { throw e }
            } else {
                if let e = decoded.withUnsafeBytes({ ParquetValueConversion.convert(leaf, $0.baseAddress!, count: present, into: out) }) { throw e }
            }
        case .byteStreamSplit:
            guard let physicalWidth = ParquetValueConversion.physicalWidth(leaf), leaf.physicalType != .int96, physicalWidth > 0 else {
                throw ParquetDecodeError("BYTE_STREAM_SPLIT is not defined for \(leaf.physicalType.name)")
            }
            let streams = try cursor.take(present * physicalWidth)
            let joined = try indexScratch.reserve(present * physicalWidth)
            let src = streams.baseAddress!
            for k in 0..<physicalWidth {
                let stream = src + k * present
                for i in 0..<present { joined.storeBytes(of: stream.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i * physicalWidth + k, as: UInt8.self) }
            }
            if let e = ParquetValueConversion.convert(leaf, UnsafeRawPointer(joined), count: present, into: out) { throw e }
        default:
            throw ParquetDecodeError("encoding \(encoding) is not supported for \(leaf.physicalType.name)")
        }
        if let levels { scatter(out, count: n, levels: levels, width: width, into: direct) }
    }

    /// PLAIN fixed-width values (and DECIMAL in BYTE_ARRAY) converted into `out`.
    private func decodePlainFixed(_ cursor: inout ByteCursor, count: Int, into out: UnsafeMutableRawPointer) throws {
        if case .decimalBytes(let scale) = leaf.conversion, leaf.physicalType == .byteArray {
            let dst = out.assumingMemoryBound(to: Double.self)
            for i in 0..<count {
                let value = try nextByteArray(&cursor)
                dst[i] = ParquetValueConversion.scaleDecimal(value.count == 0 ? 0 : ParquetValueConversion.bigEndianTwosComplement(value.baseAddress!, value.count), scale)
            }
            return
        }
        if leaf.conversion == .boolean {
            let packed = try cursor.take((count + 7) / 8)
            let dst = out.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { dst[i] = UInt8(truncatingIfNeeded: BitPacking.extract(packed, bit: i, width: 1)) }
            return
        }
        guard let width = ParquetValueConversion.physicalWidth(leaf), width > 0 else { throw ParquetDecodeError("zero-width values") }
        guard count <= cursor.remaining / width else { throw ParquetDecodeError("page holds \(cursor.remaining) bytes, \(count) values need \(count * width)") }
        let bytes = try cursor.take(count * width)
        if let e = ParquetValueConversion.convert(leaf, bytes.baseAddress ?? UnsafeRawPointer(out), count: count, into: out) { throw e }
    }

    /// Dictionary indices: one byte of bit width, then the RLE/bit-packed hybrid.
    private func decodeIndices(_ cursor: inout ByteCursor, count: Int) throws -> UnsafeMutablePointer<UInt32> {
        let indices = try indexScratch.typed(count, as: UInt32.self)
        let width = Int(try cursor.take(1)[0])
        try RLEHybrid.decode(cursor.rest, width: width, count: count, into: indices)
        let limit = UInt32(truncatingIfNeeded: dictionaryCount)
        for i in 0..<count where indices[i] >= limit {
            throw ParquetDecodeError("dictionary index \(indices[i]) out of range (dictionary has \(dictionaryCount) entries)")
        }
        return indices
    }

    private func gather(_ dictionary: UnsafeRawPointer, _ indices: UnsafeMutablePointer<UInt32>, count: Int, width: Int, into out: UnsafeMutableRawPointer) throws {
        switch width {
        case 8:
            let d = dictionary.assumingMemoryBound(to: UInt64.self), o = out.assumingMemoryBound(to: UInt64.self)
            for i in 0..<count { o[i] = d[Int(indices[i])] }
        case 4:
            let d = dictionary.assumingMemoryBound(to: UInt32.self), o = out.assumingMemoryBound(to: UInt32.self)
            for i in 0..<count { o[i] = d[Int(indices[i])] }
        default:
            let d = dictionary.assumingMemoryBound(to: UInt8.self), o = out.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { o[i] = d[Int(indices[i])] }
        }
    }

    /// Moves `present` packed values to the rows whose level is 1 (missing rows stay zero).
    private func scatter(_ packed: UnsafeMutableRawPointer, count: Int, levels: UnsafeMutablePointer<UInt32>, width: Int, into out: UnsafeMutableRawPointer) {
        func run<T>(_ type: T.Type) {
            let src = packed.assumingMemoryBound(to: T.self), dst = out.assumingMemoryBound(to: T.self)
            var j = 0
            for i in 0..<count where levels[i] != 0 {
                dst[i] = src[j]
                j += 1
            }
        }
        switch width {
        case 8: run(UInt64.self)
        case 4: run(UInt32.self)
        default: run(UInt8.self)
        }
    }

    // MARK: Strings

    private func nextByteArray(_ cursor: inout ByteCursor) throws -> UnsafeRawBufferPointer {
        if leaf.physicalType == .fixedLenByteArray { return try cursor.take(Int(leaf.element.typeLength)) }
        let length = Int(try cursor.uint32())
        return try cursor.take(length)
    }

    private func decodeStrings(_ encoding: ParquetEncoding, _ data: UnsafeRawBufferPointer, rows n: Int, present: Int, levels: UnsafeMutablePointer<UInt32>?, _ destination: ChunkDestination, _ rowOffset: Int) throws {
        var cursor = ByteCursor(data)
        if encoding.isDictionary {
            if present == 0 {
                if let plain { for _ in 0..<n { plain.builder.appendEmpty() } }
                return
            }
            guard let dictionary = dictionaryStrings else {
                if present == 0 && plain == nil { return }
                throw ParquetDecodeError("dictionary-encoded page without a dictionary page")
            }
            let indices = try decodeIndices(&cursor, count: present)
            if let plain {
                var j = 0
                for i in 0..<n {
                    if let levels, levels[i] == 0 { plain.builder.appendEmpty(); continue }
                    plain.builder.append(utf8: dictionary.utf8(Int(indices[j])))
                    j += 1
                }
            } else {
                let codes = destination.values.assumingMemoryBound(to: Int32.self) + rowOffset
                if let levels {
                    var j = 0
                    for i in 0..<n where levels[i] != 0 {
                        codes[i] = Int32(bitPattern: indices[j])
                        j += 1
                    }
                } else {
                    for i in 0..<n { codes[i] = Int32(bitPattern: indices[i]) }
                }
            }
            return
        }
        let sink = switchToPlain(destination, rowsBefore: rowOffset)
        guard case .string = leaf.conversion else { return }
        var row = 0
        let emit = { (value: UnsafeRawBufferPointer) throws -> Void in
            if let levels {
                while row < n && levels[row] == 0 { sink.builder.appendEmpty(); row += 1 }
            }
            guard row < n else { throw ParquetDecodeError("more values than rows in the page") }
            if !UTF8Validation.isValid(value.bindMemory(to: UInt8.self)) { throw ParquetDecodeError("value is not valid UTF-8 text") }
            sink.builder.append(utf8: value.bindMemory(to: UInt8.self))
            row += 1
        }
        switch encoding {
        case .plain:
            for _ in 0..<present { try emit(try nextByteArray(&cursor)) }
        case .deltaLengthByteArray where leaf.physicalType == .byteArray:
            _ = try DeltaEncoding.decodeLengthByteArray(data, count: present, emit)
        case .deltaByteArray:
            try DeltaEncoding.decodeByteArray(data, count: present, emit)
        case .byteStreamSplit where leaf.physicalType == .fixedLenByteArray:
            let width = Int(leaf.element.typeLength)
            let streams = try cursor.take(present * width)
            let joined = try indexScratch.reserve(present * width)
            for k in 0..<width {
                for i in 0..<present { joined.storeBytes(of: streams[k * present + i], toByteOffset: i * width + k, as: UInt8.self) }
            }
            for i in 0..<present { try emit(UnsafeRawBufferPointer(start: joined + i * width, count: width)) }
        default:
            throw ParquetDecodeError("encoding \(encoding) is not supported for \(leaf.physicalType.name)")
        }
        while row < n { sink.builder.appendEmpty(); row += 1 }
    }

    /// Leaves dictionary codes for plain strings: the chunk's earlier rows are expanded.
    private func switchToPlain(_ destination: ChunkDestination, rowsBefore: Int) -> PlainStringSink {
        if let plain { return plain }
        let sink = PlainStringSink()
        if rowsBefore > 0, let dictionary = dictionaryStrings {
            let codes = destination.values.assumingMemoryBound(to: Int32.self)
            for row in 0..<rowsBefore {
                if let valid = destination.valid, valid[row] == 0 { sink.builder.appendEmpty(); continue }
                sink.builder.append(utf8: dictionary.utf8(Int(codes[row])))
            }
        } else {
            for _ in 0..<rowsBefore { sink.builder.appendEmpty() }
        }
        plain = sink
        return sink
    }
}
