import DoppelTable

/// Turns the buffers of one Arrow field into a ``Column``.
///
/// Zero copy where the layouts agree (signed int8/16/32/64, float64, µs timestamps, date32, Utf8
/// offsets and bytes, Int32 dictionary indices, validity bitmaps); otherwise values are
/// converted: unsigned integers are widened to the next signed type that holds them (uint8 →
/// int16, uint16 → int32, uint32 and uint64 → int64), float32 is widened, bools unpacked to one byte, other time units scaled to
/// microseconds or days, large_utf8 offsets narrowed, utf8_view strings gathered. Every buffer is checked against the node
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
            guard case .int(let bitWidth, _) = dictionary.indexType, [8, 16, 32, 64].contains(bitWidth) else {
                throw ArrowFormatError("unsupported dictionary index type \(dictionary.indexType)")
            }
            let indices = try cursor.buffer(limit: n * bitWidth / 8)
            guard let values = dictionaries[dictionary.id] else { throw ArrowFormatError("no dictionary batch with id \(dictionary.id)") }
            return .string(try dictionaryColumn(indexType: dictionary.indexType, indices, count: n, dictionary: values, validity: validity))
        }
        switch field.type {
        case .null:
            var strings = StringArrayBuilder(capacity: n)
            var bits = BitmapBuilder(capacity: n)
            for _ in 0..<n { strings.appendEmpty(); bits.append(false) }
            return .string(StringColumn(storage: .plain(strings.finish()), validity: bits.finish()))
        case .int(let bitWidth, let signed):
            let validity = try self.validity(node)
            let raw = try cursor.buffer(limit: n * 8)
            return try integerColumn(raw, count: n, bitWidth: bitWidth, signed: signed, validity: validity)
        case .floatingPoint(let precision):
            let validity = try self.validity(node)
            let raw = try cursor.buffer(limit: n * 8)
            switch precision {
            case F.Precision.double:
                return .float64(PrimitiveColumn(values: try fixed(raw, count: n, as: Double.self), validity: validity))
            case F.Precision.single:
                return .float64(PrimitiveColumn(values: try widenFloats(raw, count: n), validity: validity))
            default:
                throw ArrowFormatError("unsupported Arrow type \(field.type) (convert it to float32 or float64)")
            }
        case .bool:
            let validity = try self.validity(node)
            let raw = try cursor.buffer(limit: (n + 7) / 8)
            return .bool(PrimitiveColumn(values: try unpackBits(raw, count: n), validity: validity))
        case .utf8, .largeUtf8, .utf8View:
            let validity = try self.validity(node)
            let strings = switch field.type {
            case .utf8: try utf8(count: n)
            case .largeUtf8: try largeUtf8(count: n)
            default: try utf8View(count: n)
            }
            if let bad = UTF8Validation.firstInvalid(strings) { throw ArrowFormatError("value \(bad) is not valid UTF-8 text") }
            return .string(StringColumn(storage: .plain(strings), validity: validity))
        case .timestamp(let unit, _):
            let validity = try self.validity(node)
            let raw = try cursor.buffer(limit: n * 8)
            return .timestamp(PrimitiveColumn(values: try timestamps(raw, count: n, unit: unit, validity: validity), validity: validity))
        case .date(let unit):
            let validity = try self.validity(node)
            guard unit == F.DateUnit.day || unit == F.DateUnit.millisecond else { throw ArrowFormatError("unknown date unit \(unit)") }
            let raw = try cursor.buffer(limit: n * 8)
            if unit == F.DateUnit.day {
                return .date(PrimitiveColumn(values: try fixed(raw, count: n, as: Int32.self), validity: validity))
            }
            return .date(PrimitiveColumn(values: try daysFromMilliseconds(raw, count: n, validity: validity), validity: validity))
        case .unsupported:
            throw ArrowFormatError("unsupported Arrow type \(field.type)")
        }
    }

    // MARK: - Buffers

    /// The validity bitmap of `node` (zero copy), or `nil` when no value is missing.
    private mutating func validity(_ node: ArrowFieldNode) throws(ArrowFormatError) -> ValidityBitmap? {
        let n = Int(node.length)
        let raw = try cursor.buffer(limit: (n + 7) / 8)
        guard node.nullCount > 0 else { return nil }
        _ = try checked(raw, count: (n + 7) / 8, width: 1)
        let bitmap = ValidityBitmap(bytes: raw.view(count: (n + 7) / 8, as: UInt8.self), count: n)
        return bitmap.nullCount > 0 ? bitmap : nil
    }

    /// The bytes of `count` values of `width` bytes; throws when the buffer is too short.
    func checked(_ raw: ArrowBodyBuffer, count: Int, width: Int) throws(ArrowFormatError) -> UnsafeRawBufferPointer {
        guard count <= raw.bytes.count / width else {
            throw ArrowFormatError("a buffer holds \(raw.bytes.count) bytes, too few for \(count) values of \(width) bytes")
        }
        return UnsafeRawBufferPointer(rebasing: raw.bytes[0..<(count * width)])
    }

    func fixed<T: BitwiseCopyable>(_ raw: ArrowBodyBuffer, count: Int, as type: T.Type) throws(ArrowFormatError) -> Buffer<T> {
        _ = try checked(raw, count: count, width: MemoryLayout<T>.stride)
        return raw.view(count: count, as: T.self)
    }

    func convert<T: BitwiseCopyable>(count: Int, _ value: (Int) -> T) -> Buffer<T> {
        guard count > 0 else { return Buffer() }
        var out = BufferBuilder<T>(capacity: count)
        out.appendUninitialized(count: count) { dst in
            for i in 0..<count { dst[i] = value(i) }
        }
        return out.finish()
    }

    // MARK: - Numbers and times
    //
    // Converters take the ``ArrowBodyBuffer`` itself, which keeps a decompressed buffer alive
    // while its raw bytes are read.

    private func widenFloats(_ raw: ArrowBodyBuffer, count n: Int) throws(ArrowFormatError) -> Buffer<Double> {
        let floats = try checked(raw, count: n, width: 4)
        return convert(count: n) { Double(floats.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self)) }
    }

    /// Arrow's LSB-first bits to one byte (0 or 1) per value.
    private func unpackBits(_ raw: ArrowBodyBuffer, count n: Int) throws(ArrowFormatError) -> Buffer<UInt8> {
        let bits = try checked(raw, count: (n + 7) / 8, width: 1)
        return convert(count: n) { (bits[$0 >> 3] >> UInt8($0 & 7)) & 1 }
    }

    /// The column type of an Arrow integer: signed ones as they are, unsigned ones the next
    /// wider signed type (uint64 as int64, when its values fit). ``integerColumn`` converts
    /// the values accordingly.
    static func integerType(bitWidth: Int, signed: Bool) -> DataType {
        switch (bitWidth, signed) {
        case (8, true): .int8
        case (16, true), (8, false): .int16
        case (32, true), (16, false): .int32
        default: .int64
        }
    }

    /// Signed integers as they are (zero copy); unsigned ones widened to a signed type that
    /// holds every value (``integerType(bitWidth:signed:)``; uint64 above `Int64.max` is an error).
    private func integerColumn(_ raw: ArrowBodyBuffer, count n: Int, bitWidth: Int, signed: Bool, validity: ValidityBitmap?) throws(ArrowFormatError) -> Column {
        guard [8, 16, 32, 64].contains(bitWidth) else { throw ArrowFormatError("unsupported integer width \(bitWidth)") }
        let bytes = try checked(raw, count: n, width: bitWidth / 8)
        switch (bitWidth, signed) {
        case (8, true): return .int8(PrimitiveColumn(values: raw.view(count: n, as: Int8.self), validity: validity))
        case (16, true): return .int16(PrimitiveColumn(values: raw.view(count: n, as: Int16.self), validity: validity))
        case (32, true): return .int32(PrimitiveColumn(values: raw.view(count: n, as: Int32.self), validity: validity))
        case (64, true): return .int64(PrimitiveColumn(values: raw.view(count: n, as: Int64.self), validity: validity))
        case (8, false):
            return .int16(PrimitiveColumn(values: convert(count: n) { Int16(bytes.loadUnaligned(fromByteOffset: $0, as: UInt8.self)) }, validity: validity))
        case (16, false):
            return .int32(PrimitiveColumn(values: convert(count: n) { Int32(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }, validity: validity))
        case (32, false):
            return .int64(PrimitiveColumn(values: convert(count: n) { Int64(bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }, validity: validity))
        default:
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
            return .int64(PrimitiveColumn(values: values, validity: validity))
        }
    }

    private func timestamps(_ raw: ArrowBodyBuffer, count n: Int, unit: Int16, validity: ValidityBitmap?) throws(ArrowFormatError) -> Buffer<Int64> {
        let bytes = try checked(raw, count: n, width: 8)
        let factor: Int64
        switch unit {
        case F.TimeUnit.microsecond: return raw.view(count: n, as: Int64.self)
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

    /// date64 (milliseconds) to days, rounding towards the past.
    private func daysFromMilliseconds(_ raw: ArrowBodyBuffer, count n: Int, validity: ValidityBitmap?) throws(ArrowFormatError) -> Buffer<Int32> {
        let millis = try checked(raw, count: n, width: 8)
        var failed = false
        let days = convert(count: n) { row -> Int32 in
            let (q, r) = millis.loadUnaligned(fromByteOffset: 8 * row, as: Int64.self).quotientAndRemainder(dividingBy: 86_400_000)
            guard let day = Int32(exactly: r < 0 ? q - 1 : q) else {
                if validity?.isValid(row) ?? true { failed = true }
                return 0
            }
            return day
        }
        if failed { throw ArrowFormatError("date64 value out of the supported range") }
        return days
    }

    /// Dictionary indices as Int32 codes into `dictionary` (zero copy for in-range Int32
    /// indices). Codes of missing rows are set to 0 when out of range; an out-of-range code of
    /// a present row is an error.
    private func dictionaryColumn(indexType: ArrowType, _ raw: ArrowBodyBuffer, count n: Int, dictionary: StringArray, validity: ValidityBitmap?) throws(ArrowFormatError) -> StringColumn {
        guard case .int(let bitWidth, let signed) = indexType else { throw ArrowFormatError("unsupported dictionary index type \(indexType)") }
        if let bad = UTF8Validation.firstInvalid(dictionary) { throw ArrowFormatError("dictionary value \(bad) is not valid UTF-8 text") }
        var values = dictionary
        if values.count == 0 && n > 0 {
            // Every row must be missing; give the codes a valid target.
            values = StringArray([""])
        }
        let bytes = try checked(raw, count: n, width: bitWidth / 8)
        let codes: Buffer<Int32>
        switch (bitWidth, signed) {
        case (8, true): codes = try recode(bytes, count: n, as: Int8.self, dictionarySize: values.count, validity: validity)
        case (8, false): codes = try recode(bytes, count: n, as: UInt8.self, dictionarySize: values.count, validity: validity)
        case (16, true): codes = try recode(bytes, count: n, as: Int16.self, dictionarySize: values.count, validity: validity)
        case (16, false): codes = try recode(bytes, count: n, as: UInt16.self, dictionarySize: values.count, validity: validity)
        case (32, true):
            let inRange = ArrowColumnDecoder.allInRange(bytes, count: n, as: Int32.self, dictionarySize: values.count)
            codes = inRange ? raw.view(count: n, as: Int32.self) : try recode(bytes, count: n, as: Int32.self, dictionarySize: values.count, validity: validity)
        case (32, false): codes = try recode(bytes, count: n, as: UInt32.self, dictionarySize: values.count, validity: validity)
        case (64, false): codes = try recode(bytes, count: n, as: UInt64.self, dictionarySize: values.count, validity: validity)
        default: codes = try recode(bytes, count: n, as: Int64.self, dictionarySize: values.count, validity: validity)
        }
        return StringColumn(storage: .dictionary(codes: codes, dictionary: values), validity: validity)
    }

    /// True when every index lies in `0..<dictionarySize` (one branch-free pass).
    private static func allInRange<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, count n: Int, as type: T.Type, dictionarySize: Int) -> Bool {
        var smallest = Int64.max, largest = Int64.min
        for row in 0..<n {
            let c = Int64(bytes.loadUnaligned(fromByteOffset: row * MemoryLayout<T>.size, as: T.self))
            smallest = min(smallest, c)
            largest = max(largest, c)
        }
        return n == 0 || (smallest >= 0 && largest < Int64(dictionarySize))
    }

    /// Indices of type `T` as Int32 codes; out-of-range indices of missing rows become 0.
    private func recode<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, count n: Int, as type: T.Type, dictionarySize: Int, validity: ValidityBitmap?) throws(ArrowFormatError) -> Buffer<Int32> {
        var badRow: Int?
        let codes = convert(count: n) { row -> Int32 in
            let c = bytes.loadUnaligned(fromByteOffset: row * MemoryLayout<T>.size, as: T.self)
            if c >= 0 && UInt64(c) < UInt64(dictionarySize) { return Int32(truncatingIfNeeded: c) }
            if badRow == nil && (validity?.isValid(row) ?? true) { badRow = row }
            return 0
        }
        if let badRow {
            throw ArrowFormatError("dictionary index at row \(badRow + 1) is outside the dictionary of \(dictionarySize) values")
        }
        return codes
    }
}
