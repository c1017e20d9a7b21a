#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DoppelTable

/// Turns the decoded buffers of one column (all row groups) into a ``Column``.
enum ParquetColumnAssembler {
    /// Takes ownership of `values` (malloc'd, `rows × targetWidth` bytes); `valid` stays the
    /// caller's. String chunks with their own dictionaries are re-coded into one dictionary;
    /// if any chunk fell back to plain strings, the column is plain.
    static func column(values: UnsafeMutableRawPointer, valid: UnsafeMutablePointer<UInt8>?, leaf: ParquetLeaf,
                       rows: Int, rowCounts: [Int], strings: [ChunkStrings]) -> Column {
        let storage = BufferStorage(borrowing: UnsafeRawPointer(values), byteCount: rows * leaf.conversion.targetWidth) { p, _ in
            free(UnsafeMutableRawPointer(mutating: p))
        }
        let validity = valid.flatMap { packValidity($0, rows: rows) }
        func buffer<T>(_ type: T.Type) -> Buffer<T> {
            rows == 0 ? Buffer() : Buffer(storage: storage, start: UnsafePointer(values.assumingMemoryBound(to: T.self)), count: rows)
        }
        switch leaf.type {
        // The reader gives every integer leaf the type int64 (8-byte values), never a narrow one.
        case .int64, .int32, .int16, .int8: return .int64(PrimitiveColumn(values: buffer(Int64.self), validity: validity))
        case .timestamp: return .timestamp(PrimitiveColumn(values: buffer(Int64.self), validity: validity))
        case .float64: return .float64(PrimitiveColumn(values: buffer(Double.self), validity: validity))
        case .bool: return .bool(PrimitiveColumn(values: buffer(UInt8.self), validity: validity))
        case .date: return .date(PrimitiveColumn(values: buffer(Int32.self), validity: validity))
        case .string:
            let codes = values.assumingMemoryBound(to: Int32.self)
            let allDictionary = strings.allSatisfy { if case .plain = $0 { false } else { true } }
            if allDictionary {
                let dictionary = mergeDictionaries(codes: codes, rowCounts: rowCounts, strings: strings, rows: rows)
                return .string(StringColumn(storage: .dictionary(codes: buffer(Int32.self), dictionary: dictionary), validity: validity))
            }
            var builder = StringArrayBuilder(capacity: rows)
            var first = 0
            for (g, chunk) in strings.enumerated() {
                let n = rowCounts[g]
                switch chunk {
                case .plain(let a):
                    for i in 0..<a.count { builder.append(utf8: a.utf8(i)) }
                case .dictionary(let d):
                    for r in first..<(first + n) {
                        if let valid, valid[r] == 0 || d.count == 0 { builder.appendEmpty() } else { builder.append(utf8: d.utf8(Int(codes[r]))) }
                    }
                case .none:
                    for _ in 0..<n { builder.appendEmpty() }
                }
                first += n
            }
            return .string(StringColumn(storage: .plain(builder.finish()), validity: validity))
        }
    }

    /// One dictionary for every row group; codes are rewritten in place.
    private static func mergeDictionaries(codes: UnsafeMutablePointer<Int32>, rowCounts: [Int], strings: [ChunkStrings], rows: Int) -> StringArray {
        var dictionaries: [StringArray] = []
        for chunk in strings { if case .dictionary(let d) = chunk { dictionaries.append(d) } else { dictionaries.append(StringArray([])) } }
        if dictionaries.count == 1 && dictionaries[0].count > 0 { return dictionaries[0] }
        var interner = StringInterner(capacity: dictionaries.first?.count ?? 16)
        var first = 0
        for (g, d) in dictionaries.enumerated() {
            let n = rowCounts[g]
            if d.count == 0 {
                (codes + first).update(repeating: 0, count: n)
            } else {
                var remap = [Int32](repeating: 0, count: d.count)
                for i in 0..<d.count { remap[i] = interner.intern(d.utf8(i)) }
                remap.withUnsafeBufferPointer { map in
                    for r in first..<(first + n) { codes[r] = map[Int(codes[r])] }
                }
            }
            first += n
        }
        // Missing rows point at code 0, so a non-empty column needs at least one entry.
        if interner.count == 0 && rows > 0 { _ = interner.intern("") }
        return interner.finish()
    }

    /// Packs one byte per row into a validity bitmap; `nil` when nothing is missing.
    static func packValidity(_ valid: UnsafeMutablePointer<UInt8>, rows: Int) -> ValidityBitmap? {
        var nulls = 0
        for r in 0..<rows where valid[r] == 0 { nulls += 1 }
        guard nulls > 0 else { return nil }
        var bytes = BufferBuilder<UInt8>(capacity: (rows + 7) / 8)
        bytes.appendUninitialized(count: (rows + 7) / 8) { out in
            for b in 0..<out.count {
                var byte: UInt8 = 0
                let base = b * 8
                for k in 0..<min(8, rows - base) where valid[base + k] != 0 { byte |= 1 << UInt8(k) }
                out[b] = byte
            }
        }
        return ValidityBitmap(bytes: bytes.finish(), count: rows, nullCount: nulls)
    }
}
