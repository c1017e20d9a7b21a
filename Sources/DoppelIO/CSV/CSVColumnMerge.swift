import DoppelTable

/// Brings the per-chunk parts of a column to the column's final kind and joins them.
enum CSVColumnMerge {
    /// Joins parts of one type in order: values and string bytes are copied in bulk, validity
    /// 64 bits at a time, dictionaries merged (a mix of dictionary and plain parts gives plain).
    /// With `regions` (and the column's index), parts that lie in order in the column's block
    /// are joined in place (``CSVColumnRegions/compact(_:slot:column:)``).
    static func concatenate(_ parts: [Column], regions: (CSVColumnRegions, column: Int)? = nil) -> Column {
        guard parts.count > 1 || regions != nil else { return parts[0] }
        let rows = parts.reduce(0) { $0 + $1.count }
        var bits = ValidityWriter(capacity: rows)
        for part in parts { bits.append(part.validity, rows: part.count) }
        let validity = bits.finish()
        switch parts[0] {
        case .int64: return .int64(PrimitiveColumn(values: joinValues(regions, parts.map { if case .int64(let c) = $0 { c.values } else { Buffer() } }), validity: validity))
        case .int8: return .int8(PrimitiveColumn(values: joinValues(regions, parts.map { if case .int8(let c) = $0 { c.values } else { Buffer() } }), validity: validity))
        case .int16: return .int16(PrimitiveColumn(values: joinValues(regions, parts.map { if case .int16(let c) = $0 { c.values } else { Buffer() } }), validity: validity))
        case .int32: return .int32(PrimitiveColumn(values: joinValues(regions, parts.map { if case .int32(let c) = $0 { c.values } else { Buffer() } }), validity: validity))
        case .timestamp: return .timestamp(PrimitiveColumn(values: joinValues(regions, parts.map { if case .timestamp(let c) = $0 { c.values } else { Buffer() } }), validity: validity))
        case .float64: return .float64(PrimitiveColumn(values: joinValues(regions, parts.map { if case .float64(let c) = $0 { c.values } else { Buffer() } }), validity: validity))
        case .bool: return .bool(PrimitiveColumn(values: joinValues(regions, parts.map { if case .bool(let c) = $0 { c.values } else { Buffer() } }), validity: validity))
        case .date: return .date(PrimitiveColumn(values: joinValues(regions, parts.map { if case .date(let c) = $0 { c.values } else { Buffer() } }), validity: validity))
        case .string:
            let strings = parts.compactMap { if case .string(let c) = $0 { c } else { nil } }
            return .string(joinStrings(strings, rows: rows, validity: validity, regions: regions))
        }
    }

    private static func joinValues<T>(_ regions: (CSVColumnRegions, column: Int)?, _ parts: [Buffer<T>]) -> Buffer<T> {
        if let (regions, column) = regions, let joined = regions.compact(parts, column: column) { return joined }
        if let joined = Buffer.contiguousJoin(parts) { return joined }
        var out = BufferBuilder<T>(capacity: parts.reduce(0) { $0 + $1.count })
        for part in parts { part.withUnsafeBufferPointer { out.append(contentsOf: $0) } }
        return out.finish()
    }

    private static func joinStrings(_ parts: [StringColumn], rows: Int, validity: ValidityBitmap?,
                                    regions: (CSVColumnRegions, column: Int)?) -> StringColumn {
        let allDictionary = parts.allSatisfy { if case .dictionary = $0.storage { true } else { false } }
        if allDictionary, let (regions, column) = regions {
            // Codes that lie in the column's block are translated where they are and then
            // joined in place.
            let codeParts: [Buffer<Int32>] = parts.map { if case .dictionary(let codes, _) = $0.storage { codes } else { Buffer() } }
            if regions.holdsInOrder(codeParts, column: column) {
                var dictionary = StringDictionaryBuilder()
                for (remap, codes) in zip(mergeDictionaries(parts, into: &dictionary), codeParts) {
                    guard let start = codes.rawBytes.baseAddress else { continue }
                    let target = UnsafeMutableRawPointer(mutating: start).assumingMemoryBound(to: Int32.self)
                    remap.withUnsafeBufferPointer { map in
                        for i in 0..<codes.count { target[i] = map.isEmpty ? 0 : map[Int(target[i])] }
                    }
                }
                if let joined = regions.compact(codeParts, column: column) {
                    return StringColumn(storage: .dictionary(codes: joined, dictionary: dictionary.finish()), validity: validity)
                }
            }
        }
        let plainArrays = parts.compactMap { if case .plain(let array) = $0.storage { array } else { nil } }
        if plainArrays.count == parts.count, let (regions, column) = regions, let joined = regions.joinPlain(plainArrays, column: column) {
            return StringColumn(storage: .plain(joined), validity: validity)
        }
        if allDictionary {
            var dictionary = StringDictionaryBuilder()
            var codes = BufferBuilder<Int32>(capacity: rows)
            for (part, remap) in zip(parts, mergeDictionaries(parts, into: &dictionary)) {
                guard case .dictionary(let partCodes, _) = part.storage else { continue }
                partCodes.withUnsafeBufferPointer { source in
                    codes.appendUninitialized(count: source.count) { target in
                        for i in 0..<source.count { target[i] = remap.isEmpty ? 0 : remap[Int(source[i])] }
                    }
                }
            }
            return StringColumn(storage: .dictionary(codes: codes.finish(), dictionary: dictionary.finish()), validity: validity)
        }
        var offsets = BufferBuilder<Int32>(capacity: rows + 1)
        offsets.append(0)
        var bytes = BufferBuilder<UInt8>()
        for part in parts {
            switch part.storage {
            case .plain(let array):
                let first = array.offsets[0], shift = Int32(bytes.count) - first
                array.offsets.withUnsafeBufferPointer { source in
                    offsets.appendUninitialized(count: array.count) { target in
                        for i in 0..<array.count { target[i] = source[i + 1] &+ shift }
                    }
                }
                array.bytes.withUnsafeBufferPointer { all in
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: all[Int(first)..<Int(array.offsets[array.count])]))
                }
            case .dictionary(let codes, let dictionary):
                for row in 0..<codes.count {
                    if part.isValid(row) { bytes.append(contentsOf: dictionary.utf8(Int(codes[row]))) }
                    offsets.append(Int32(bytes.count))
                }
            }
            precondition(bytes.count <= Int(Int32.max), "string column exceeds 2 GiB of text")
        }
        return StringColumn(storage: .plain(StringArray(offsets: offsets.finish(), bytes: bytes.finish())), validity: validity)
    }

    /// Interns the dictionaries of the dictionary-encoded `parts` into `dictionary` in part
    /// order; per part, the merged code of each of its codes (empty for a plain part).
    private static func mergeDictionaries(_ parts: [StringColumn], into dictionary: inout StringDictionaryBuilder) -> [[Int32]] {
        parts.map { part in
            guard case .dictionary(_, let partDictionary) = part.storage else { return [] }
            return (0..<partDictionary.count).map { dictionary.intern(partDictionary.utf8($0)).code }
        }
    }

    /// Widens `column` of `kind` to `target` (`int → float`, `date → timestamp`); other
    /// combinations never reach here (string columns are read again as text).
    static func convert(_ column: Column, from kind: InferredKind, to target: InferredKind) -> Column {
        switch (column, target) {
        case (.int64(let c), .float):
            var values = BufferBuilder<Double>(capacity: c.count)
            c.values.withUnsafeBufferPointer { for v in $0 { values.append(Double(v)) } }
            return .float64(PrimitiveColumn(values: values.finish(), validity: c.validity))
        case (.date(let c), .timestamp):
            var values = BufferBuilder<Int64>(capacity: c.count)
            c.values.withUnsafeBufferPointer { for d in $0 { values.append(Int64(d) * TemporalFormat.microsPerDay) } }
            return .timestamp(PrimitiveColumn(values: values.finish(), validity: c.validity))
        default:
            return column
        }
    }

    /// A column of `rows` missing values. A string column shares the dictionary of `sibling`
    /// (another part of the same column) when it has one, so that joining the parts keeps the
    /// dictionary encoding. With a `window` (regions, column, chunk), fixed-width zeros are the
    /// chunk's untouched window of the shared column memory, so the join stays copy-free.
    static func allMissing(_ type: DataType, rows: Int, like sibling: Column?, window: (CSVColumnRegions, Int, Int)? = nil) -> Column {
        var bits = BitmapBuilder(capacity: rows)
        bits.append(false, count: rows)
        let validity = bits.finish()
        func zeroValues<T: BitwiseCopyable & Numeric>(_ type: T.Type) -> Buffer<T> {
            if let (regions, column, chunk) = window, let shared = regions.zeros(column: column, chunk: chunk, rows: rows, of: T.self) { return shared }
            return Self.zeros(rows)
        }
        switch type {
        case .int64: return .int64(PrimitiveColumn(values: zeroValues(Int64.self), validity: validity))
        case .int8: return .int8(PrimitiveColumn(values: zeroValues(Int8.self), validity: validity))
        case .int16: return .int16(PrimitiveColumn(values: zeroValues(Int16.self), validity: validity))
        case .int32: return .int32(PrimitiveColumn(values: zeroValues(Int32.self), validity: validity))
        case .timestamp: return .timestamp(PrimitiveColumn(values: zeroValues(Int64.self), validity: validity))
        case .float64: return .float64(PrimitiveColumn(values: zeroValues(Double.self), validity: validity))
        case .bool: return .bool(PrimitiveColumn(values: zeroValues(UInt8.self), validity: validity))
        case .date: return .date(PrimitiveColumn(values: zeroValues(Int32.self), validity: validity))
        case .string:
            if case .string(let other) = sibling, case .dictionary(_, let dictionary) = other.storage, dictionary.count > 0 {
                return .string(StringColumn(storage: .dictionary(codes: zeros(rows), dictionary: dictionary), validity: validity))
            }
            var strings = StringArrayBuilder(capacity: rows)
            for _ in 0..<rows { strings.appendEmpty() }
            return .string(StringColumn(storage: .plain(strings.finish()), validity: validity))
        }
    }

    private static func zeros<T: BitwiseCopyable & Numeric>(_ count: Int) -> Buffer<T> {
        var b = BufferBuilder<T>(capacity: count)
        b.append(repeating: 0, count: count)
        return b.finish()
    }
}

/// Chooses how a finished string column is stored: dictionary-encoded while the number of
/// distinct values stays at most `max(1000, rows / 2)`, plain offsets + bytes otherwise.
enum CSVStringStorage {
    static func limit(rows: Int) -> Int { max(1000, rows / 2) }

    static func choose(_ column: StringColumn) -> StringColumn {
        switch column.storage {
        case .dictionary(let codes, let dictionary):
            guard dictionary.count > limit(rows: codes.count) else { return column }
            return column.plain()
        case .plain:
            // Plain parts come from chunks that already saw many distinct values; keep plain.
            return column
        }
    }
}
