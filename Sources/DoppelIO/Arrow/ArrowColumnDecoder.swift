import DoppelTable

/// Turns the buffers of one Arrow field into a ``Column``.
///
/// Zero copy where the layouts agree (int64, float64, µs timestamps, date32, Utf8 offsets and
/// bytes, Int32 dictionary indices, validity bitmaps); otherwise values are converted: narrower
/// integers and float32 are widened, bools unpacked to one byte, other time units scaled to
/// microseconds or days, large_utf8 offsets narrowed. Every buffer is checked against the node
/// length before it is read.
struct ArrowColumnDecoder {
    typealias F = ArrowFormat

    var cursor: ArrowBatchCursor
    /// Dictionaries by id, already decoded.
    let dictionaries: [Int64: StringArray]
    /// Upper bound on the rows of one column, so that absurd lengths in a corrupted file fail
    /// cleanly (a null-typed column has no buffers whose size could bound it).
    let maximumRows: Int

    mutating func decode(_ field: ArrowField) throws(ArrowFormatError) -> Column {
        let node = try cursor.node()
        guard node.length <= Int64(maximumRows) else { throw ArrowFormatError("implausible column length \(node.length)") }
        let n = Int(node.length)
        if let dictionary = field.dictionary {
            let validity = try self.validity(node)
            let indices = try cursor.buffer()
            guard let values = dictionaries[dictionary.id] else { throw ArrowFormatError("no dictionary batch with id \(dictionary.id)") }
            return .string(try dictionaryColumn(indexType: dictionary.indexType, raw: indices, count: n, dictionary: values, validity: validity))
        }
        switch field.type {
        case .null:
            var strings = StringArrayBuilder(capacity: n)
            var bits = BitmapBuilder(capacity: n)
            for _ in 0..<n { strings.appendEmpty(); bits.append(false) }
            return .string(StringColumn(storage: .plain(strings.finish()), validity: bits.finish()))
        case .int(let bitWidth, let signed):
            let validity = try self.validity(node)
            let raw = try cursor.buffer()
            return .int64(PrimitiveColumn(values: try integers(raw, count: n, bitWidth: bitWidth, signed: signed, validity: validity), validity: validity))
        case .floatingPoint(let precision):
            let validity = try self.validity(node)
            let raw = try cursor.buffer()
            switch precision {
            case F.Precision.double:
                return .float64(PrimitiveColumn(values: try fixed(raw, count: n, as: Double.self), validity: validity))
            case F.Precision.single:
                let floats = try checked(raw, count: n, width: 4)
                return .float64(PrimitiveColumn(values: convert(count: n) { Double(floats.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self)) }, validity: validity))
            default:
                throw ArrowFormatError("unsupported Arrow type \(field.type) (convert it to float32 or float64)")
            }
        case .bool:
            let validity = try self.validity(node)
            let bits = try checked(try cursor.buffer(), count: (n + 7) / 8, width: 1)
            return .bool(PrimitiveColumn(values: convert(count: n) { (bits[$0 >> 3] >> UInt8($0 & 7)) & 1 }, validity: validity))
        case .utf8, .largeUtf8:
            let validity = try self.validity(node)
            let offsets = try cursor.buffer()
            let data = try cursor.buffer()
            let strings = field.type == .utf8 ? try utf8(offsets: offsets, data: data, count: n) : try largeUtf8(offsets: offsets, data: data, count: n)
            return .string(StringColumn(storage: .plain(strings), validity: validity))
        case .timestamp(let unit, _):
            let validity = try self.validity(node)
            return .timestamp(PrimitiveColumn(values: try timestamps(try cursor.buffer(), count: n, unit: unit, validity: validity), validity: validity))
        case .date(let unit):
            let validity = try self.validity(node)
            let raw = try cursor.buffer()
            guard unit == F.DateUnit.day || unit == F.DateUnit.millisecond else { throw ArrowFormatError("unknown date unit \(unit)") }
            if unit == F.DateUnit.day {
                return .date(PrimitiveColumn(values: try fixed(raw, count: n, as: Int32.self), validity: validity))
            }
            let millis = try checked(raw, count: n, width: 8)
            var failed = false
            let days = convert(count: n) { row -> Int32 in
                let ms = millis.loadUnaligned(fromByteOffset: 8 * row, as: Int64.self)
                let (q, r) = ms.quotientAndRemainder(dividingBy: 86_400_000)
                guard let day = Int32(exactly: r < 0 ? q - 1 : q) else {
                    if validity?.isValid(row) ?? true { failed = true }
                    return 0
                }
                return day
            }
            if failed { throw ArrowFormatError("date64 value out of the supported range") }
            return .date(PrimitiveColumn(values: days, validity: validity))
        case .unsupported:
            throw ArrowFormatError("unsupported Arrow type \(field.type)")
        }
    }

    // MARK: - Buffers

    /// The validity bitmap of `node` (zero copy), or `nil` when no value is missing.
    private mutating func validity(_ node: ArrowFieldNode) throws(ArrowFormatError) -> ValidityBitmap? {
        let raw = try cursor.buffer()
        guard node.nullCount > 0 else { return nil }
        let n = Int(node.length)
        let bytes = try checked(raw, count: (n + 7) / 8, width: 1)
        let bitmap = ValidityBitmap(bytes: cursor.view(bytes, count: (n + 7) / 8, as: UInt8.self), count: n)
        return bitmap.nullCount > 0 ? bitmap : nil
    }

    /// `raw` shortened to `count` values of `width` bytes; throws when it is too short.
    private func checked(_ raw: UnsafeRawBufferPointer, count: Int, width: Int) throws(ArrowFormatError) -> UnsafeRawBufferPointer {
        guard count <= raw.count / width else {
            throw ArrowFormatError("a buffer holds \(raw.count) bytes, too few for \(count) values of \(width) bytes")
        }
        return UnsafeRawBufferPointer(rebasing: raw[0..<(count * width)])
    }

    private func fixed<T: BitwiseCopyable>(_ raw: UnsafeRawBufferPointer, count: Int, as type: T.Type) throws(ArrowFormatError) -> Buffer<T> {
        let bytes = try checked(raw, count: count, width: MemoryLayout<T>.stride)
        return cursor.view(bytes, count: count, as: T.self)
    }

    private func convert<T: BitwiseCopyable>(count: Int, _ value: (Int) -> T) -> Buffer<T> {
        guard count > 0 else { return Buffer() }
        var out = BufferBuilder<T>(capacity: count)
        out.appendUninitialized(count: count) { dst in
            for i in 0..<count { dst[i] = value(i) }
        }
        return out.finish()
    }

    // MARK: - Integers and times

    private func integers(_ raw: UnsafeRawBufferPointer, count n: Int, bitWidth: Int, signed: Bool, validity: ValidityBitmap?) throws(ArrowFormatError) -> Buffer<Int64> {
        let bytes = try checked(raw, count: n, width: max(1, bitWidth / 8))
        switch (bitWidth, signed) {
        case (64, true): return cursor.view(bytes, count: n, as: Int64.self)
        case (8, true): return convert(count: n) { Int64(bytes.loadUnaligned(fromByteOffset: $0, as: Int8.self)) }
        case (16, true): return convert(count: n) { Int64(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self)) }
        case (32, true): return convert(count: n) { Int64(bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        case (8, false): return convert(count: n) { Int64(bytes.loadUnaligned(fromByteOffset: $0, as: UInt8.self)) }
        case (16, false): return convert(count: n) { Int64(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        case (32, false): return convert(count: n) { Int64(bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
        case (64, false):
            var tooLarge = false
            let values = convert(count: n) { row -> Int64 in
                let v = bytes.loadUnaligned(fromByteOffset: 8 * row, as: UInt64.self)
                guard let fits = Int64(exactly: v) else {
                    if validity?.isValid(row) ?? true { tooLarge = true }
                    return 0
                }
                return fits
            }
            if tooLarge { throw ArrowFormatError("uint64 values above \(Int64.max) do not fit into int64") }
            return values
        default:
            throw ArrowFormatError("unsupported integer width \(bitWidth)")
        }
    }

    private func timestamps(_ raw: UnsafeRawBufferPointer, count n: Int, unit: Int16, validity: ValidityBitmap?) throws(ArrowFormatError) -> Buffer<Int64> {
        let bytes = try checked(raw, count: n, width: 8)
        let factor: Int64
        switch unit {
        case F.TimeUnit.microsecond: return cursor.view(bytes, count: n, as: Int64.self)
        case F.TimeUnit.nanosecond:
            // Floor division, so that instants before 1970 round towards the past.
            return convert(count: n) { row in
                let (q, r) = bytes.loadUnaligned(fromByteOffset: 8 * row, as: Int64.self).quotientAndRemainder(dividingBy: 1000)
                return r < 0 ? q - 1 : q
            }
        case F.TimeUnit.millisecond: factor = 1000
        case F.TimeUnit.second: factor = 1_000_000
        default: throw ArrowFormatError("unknown timestamp unit \(unit)")
        }
        var overflow = false
        let values = convert(count: n) { row -> Int64 in
            let (scaled, overflowed) = bytes.loadUnaligned(fromByteOffset: 8 * row, as: Int64.self).multipliedReportingOverflow(by: factor)
            if overflowed {
                if validity?.isValid(row) ?? true { overflow = true }
                return 0
            }
            return scaled
        }
        if overflow { throw ArrowFormatError("timestamp out of the range of microseconds in int64") }
        return values
    }

    // MARK: - Strings

    /// A Utf8 array, zero copy, after checking that offsets rise and stay inside the data.
    private func utf8(offsets raw: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer, count n: Int) throws(ArrowFormatError) -> StringArray {
        if n == 0 && raw.count < 4 { return StringArray(offsets: Buffer([0]), bytes: Buffer()) }
        let offsets = try fixed(raw, count: n + 1, as: Int32.self)
        let valid = offsets.withUnsafeBufferPointer { o -> Bool in
            guard o[0] >= 0, Int(o[n]) <= data.count else { return false }
            for i in 0..<n where o[i + 1] < o[i] { return false }
            return true
        }
        guard valid else { throw ArrowFormatError("string offsets decrease or point outside the \(data.count)-byte data buffer") }
        return StringArray(offsets: offsets, bytes: cursor.view(data, count: data.count, as: UInt8.self))
    }

    /// A large_utf8 array: offsets are checked, re-based to 0 and narrowed to Int32.
    private func largeUtf8(offsets raw: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer, count n: Int) throws(ArrowFormatError) -> StringArray {
        if n == 0 && raw.count < 8 { return StringArray(offsets: Buffer([0]), bytes: Buffer()) }
        let offsets = try checked(raw, count: n + 1, width: 8)
        func offset(_ i: Int) -> Int64 { offsets.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self) }
        let first = offset(0), last = offset(n)
        guard first >= 0, first <= last, last <= Int64(data.count) else {
            throw ArrowFormatError("string offsets point outside the \(data.count)-byte data buffer")
        }
        guard last - first <= Int64(Int32.max) else {
            throw ArrowFormatError("large_utf8 column holds \(last - first) bytes of text, more than the 2 GiB a column can hold")
        }
        var rising = true
        let narrowed = convert(count: n + 1) { i -> Int32 in
            if i > 0 && offset(i) < offset(i - 1) { rising = false }
            return Int32(truncatingIfNeeded: min(max(offset(i), first), last) - first)
        }
        guard rising else { throw ArrowFormatError("string offsets decrease") }
        let text = UnsafeRawBufferPointer(rebasing: data[Int(first)..<Int(last)])
        return StringArray(offsets: narrowed, bytes: cursor.view(text, count: text.count, as: UInt8.self))
    }

    /// Dictionary indices as Int32 codes into `dictionary` (zero copy for in-range Int32
    /// indices). Codes of missing rows are set to 0 when out of range; an out-of-range code of
    /// a present row is an error.
    private func dictionaryColumn(indexType: ArrowType, raw: UnsafeRawBufferPointer, count n: Int, dictionary: StringArray, validity: ValidityBitmap?) throws(ArrowFormatError) -> StringColumn {
        guard case .int(let bitWidth, let signed) = indexType, [8, 16, 32, 64].contains(bitWidth) else {
            throw ArrowFormatError("unsupported dictionary index type \(indexType)")
        }
        var values = dictionary
        if values.count == 0 && n > 0 {
            // Every row must be missing; give the codes a valid target.
            values = StringArray([""])
        }
        let size = Int64(values.count)
        let bytes = try checked(raw, count: n, width: bitWidth / 8)
        func code(_ row: Int) -> Int64 {
            switch (bitWidth, signed) {
            case (8, true): Int64(bytes.loadUnaligned(fromByteOffset: row, as: Int8.self))
            case (8, false): Int64(bytes.loadUnaligned(fromByteOffset: row, as: UInt8.self))
            case (16, true): Int64(bytes.loadUnaligned(fromByteOffset: 2 * row, as: Int16.self))
            case (16, false): Int64(bytes.loadUnaligned(fromByteOffset: 2 * row, as: UInt16.self))
            case (32, true): Int64(bytes.loadUnaligned(fromByteOffset: 4 * row, as: Int32.self))
            case (32, false): Int64(bytes.loadUnaligned(fromByteOffset: 4 * row, as: UInt32.self))
            case (64, false): Int64(truncatingIfNeeded: bytes.loadUnaligned(fromByteOffset: 8 * row, as: UInt64.self))
            default: bytes.loadUnaligned(fromByteOffset: 8 * row, as: Int64.self)
            }
        }
        var allInRange = true
        for row in 0..<n {
            let c = code(row)
            if c < 0 || c >= size {
                guard !(validity?.isValid(row) ?? true) else {
                    throw ArrowFormatError("dictionary index \(c) at row \(row + 1) is outside the dictionary of \(size) values")
                }
                allInRange = false
            }
        }
        let codes: Buffer<Int32>
        if allInRange && bitWidth == 32 && signed {
            codes = cursor.view(bytes, count: n, as: Int32.self)
        } else {
            codes = convert(count: n) { row in
                let c = code(row)
                return c >= 0 && c < size ? Int32(truncatingIfNeeded: c) : 0
            }
        }
        return StringColumn(storage: .dictionary(codes: codes, dictionary: values), validity: validity)
    }
}
