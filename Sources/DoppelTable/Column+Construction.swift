// Convenience constructors from Swift arrays (tests, small metadata) and concatenation.

extension PrimitiveColumn {
    /// A column from optional values (`nil` = missing; its slot holds `placeholder`).
    public init(_ values: [Value?], placeholder: Value) {
        var buffer = BufferBuilder<Value>(capacity: values.count)
        var bits = BitmapBuilder(capacity: values.count)
        for v in values {
            buffer.append(v ?? placeholder)
            bits.append(v != nil)
        }
        self.init(values: buffer.finish(), validity: bits.finish())
    }
}

extension Column {
    public static func int64(_ values: [Int64?]) -> Column { .int64(PrimitiveColumn(values, placeholder: 0)) }
    public static func int8(_ values: [Int8?]) -> Column { .int8(PrimitiveColumn(values, placeholder: 0)) }
    public static func int16(_ values: [Int16?]) -> Column { .int16(PrimitiveColumn(values, placeholder: 0)) }
    public static func int32(_ values: [Int32?]) -> Column { .int32(PrimitiveColumn(values, placeholder: 0)) }
    public static func float64(_ values: [Double?]) -> Column { .float64(PrimitiveColumn(values, placeholder: 0)) }
    public static func bool(_ values: [Bool?]) -> Column { .bool(PrimitiveColumn(values.map { $0.map { $0 ? 1 : 0 } }, placeholder: 0)) }
    public static func timestamp(_ micros: [Int64?]) -> Column { .timestamp(PrimitiveColumn(micros, placeholder: 0)) }
    public static func date(_ days: [Int32?]) -> Column { .date(PrimitiveColumn(days, placeholder: 0)) }

    /// A column of `type` with no rows.
    public static func empty(_ type: DataType) -> Column {
        switch type {
        case .int64: .int64([])
        case .int8: .int8([])
        case .int16: .int16([])
        case .int32: .int32([])
        case .float64: .float64([])
        case .bool: .bool([])
        case .string: .string([])
        case .timestamp: .timestamp([])
        case .date: .date([])
        }
    }

    /// A plain (offsets + bytes) string column.
    public static func string(_ values: [String?]) -> Column {
        var builder = StringArrayBuilder(capacity: values.count)
        var bits = BitmapBuilder(capacity: values.count)
        for v in values {
            if let v { builder.append(v) } else { builder.appendEmpty() }
            bits.append(v != nil)
        }
        return .string(StringColumn(storage: .plain(builder.finish()), validity: bits.finish()))
    }

    /// A dictionary-encoded string column.
    public static func dictionaryString(_ values: [String?]) -> Column {
        var interner = StringInterner()
        var codes = BufferBuilder<Int32>(capacity: values.count)
        var bits = BitmapBuilder(capacity: values.count)
        for v in values {
            codes.append(v.map { interner.intern($0) } ?? 0)
            bits.append(v != nil)
        }
        return .string(StringColumn(storage: .dictionary(codes: codes.finish(), dictionary: interner.finish()), validity: bits.finish()))
    }

    /// Concatenates columns of one type, in order. Dictionary string columns are re-coded into
    /// one merged dictionary; if any part is plain, the result is plain.
    public static func concatenate(_ parts: [Column]) -> Column {
        precondition(!parts.isEmpty, "concatenate needs at least one column")
        if parts.count == 1 { return parts[0] }
        let type = parts[0].type
        precondition(parts.allSatisfy { $0.type == type }, "concatenate needs columns of one type")
        let validity = concatenateValidity(parts)
        switch type {
        case .int64: return .int64(PrimitiveColumn(values: concatenateValues(parts.map { if case .int64(let c) = $0 { c.values } else { fatalError() } }), validity: validity))
        case .int8: return .int8(PrimitiveColumn(values: concatenateValues(parts.map { if case .int8(let c) = $0 { c.values } else { fatalError() } }), validity: validity))
        case .int16: return .int16(PrimitiveColumn(values: concatenateValues(parts.map { if case .int16(let c) = $0 { c.values } else { fatalError() } }), validity: validity))
        case .int32: return .int32(PrimitiveColumn(values: concatenateValues(parts.map { if case .int32(let c) = $0 { c.values } else { fatalError() } }), validity: validity))
        case .timestamp: return .timestamp(PrimitiveColumn(values: concatenateValues(parts.map { if case .timestamp(let c) = $0 { c.values } else { fatalError() } }), validity: validity))
        case .float64: return .float64(PrimitiveColumn(values: concatenateValues(parts.map { if case .float64(let c) = $0 { c.values } else { fatalError() } }), validity: validity))
        case .bool: return .bool(PrimitiveColumn(values: concatenateValues(parts.map { if case .bool(let c) = $0 { c.values } else { fatalError() } }), validity: validity))
        case .date: return .date(PrimitiveColumn(values: concatenateValues(parts.map { if case .date(let c) = $0 { c.values } else { fatalError() } }), validity: validity))
        case .string:
            let strings = parts.map { if case .string(let c) = $0 { c } else { fatalError() } }
            return .string(concatenateStrings(strings, validity: validity))
        }
    }

    private static func concatenateValues<T>(_ parts: [Buffer<T>]) -> Buffer<T> {
        var out = BufferBuilder<T>(capacity: parts.reduce(0) { $0 + $1.count })
        for p in parts { p.withUnsafeBufferPointer { out.append(contentsOf: $0) } }
        return out.finish()
    }

    private static func concatenateValidity(_ parts: [Column]) -> ValidityBitmap? {
        guard parts.contains(where: { $0.nullCount > 0 }) else { return nil }
        var bits = BitmapBuilder(capacity: parts.reduce(0) { $0 + $1.count })
        for p in parts {
            if let v = p.validity {
                for row in 0..<p.count { bits.append(v.isValid(row)) }
            } else {
                bits.append(true, count: p.count)
            }
        }
        return bits.finish()
    }

    private static func concatenateStrings(_ parts: [StringColumn], validity: ValidityBitmap?) -> StringColumn {
        let allDictionary = parts.allSatisfy { if case .dictionary = $0.storage { true } else { false } }
        let total = parts.reduce(0) { $0 + $1.count }
        if allDictionary {
            var interner = StringInterner()
            var codes = BufferBuilder<Int32>(capacity: total)
            for part in parts {
                guard case .dictionary(let partCodes, let dictionary) = part.storage else { continue }
                var remap = [Int32](repeating: 0, count: dictionary.count)
                for i in 0..<dictionary.count { remap[i] = interner.intern(dictionary.utf8(i)) }
                partCodes.withUnsafeBufferPointer { for c in $0 { codes.append(remap[Int(c)]) } }
            }
            return StringColumn(storage: .dictionary(codes: codes.finish(), dictionary: interner.finish()), validity: validity)
        }
        var builder = StringArrayBuilder(capacity: total)
        for part in parts {
            for row in 0..<part.count { builder.append(utf8: part.utf8(row)) }
        }
        return StringColumn(storage: .plain(builder.finish()), validity: validity)
    }
}

extension StringColumn {
    /// The same values with a dictionary reduced to the strings in use (in order of first use).
    /// Plain columns, and dictionaries already fully used, are returned unchanged.
    public func compactingDictionary() -> StringColumn {
        guard case .dictionary(let codes, let dictionary) = storage else { return self }
        var newCode = [Int32](repeating: -1, count: dictionary.count)
        var used: [Int] = []
        codes.withUnsafeBufferPointer { codes in
            for (row, code) in codes.enumerated() where isValid(row) && newCode[Int(code)] < 0 {
                newCode[Int(code)] = Int32(used.count)
                used.append(Int(code))
            }
        }
        if used.count == dictionary.count && used.enumerated().allSatisfy({ $0.offset == $0.element }) { return self }
        var builder = StringArrayBuilder(capacity: used.count)
        for code in used { builder.append(utf8: dictionary.utf8(code)) }
        var recoded = BufferBuilder<Int32>(capacity: codes.count)
        codes.withUnsafeBufferPointer { codes in
            for code in codes { recoded.append(max(0, newCode[Int(code)])) }
        }
        return StringColumn(storage: .dictionary(codes: recoded.finish(), dictionary: builder.finish()), validity: validity)
    }
}

extension Table {
    /// The same table with every dictionary reduced to the strings its rows use (see
    /// ``StringColumn/compactingDictionary()``): what a row subset should store.
    public func compactingDictionaries() -> Table {
        let compacted = columns.map { column -> Column in
            if case .string(let s) = column { return .string(s.compactingDictionary()) }
            return column
        }
        return try! Table(schema: schema, columns: compacted)
    }
}
