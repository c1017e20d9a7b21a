import DoppelTable

/// Collects the strings of one column chunk: dictionary-encoded (``StringDictionaryBuilder``) while few
/// distinct values have been seen, plain offsets + bytes once the column looks high-cardinality.
///
/// The switch is only a speed heuristic: the final storage of the whole column is decided after
/// all chunks are joined (``CSVStringStorage``), so results never depend on the chunking.
struct StringAccumulator: ~Copyable {
    private var interner = StringDictionaryBuilder()
    private var codes = BufferBuilder<Int32>()
    private var plain = StringArrayBuilder()
    private(set) var isDictionary = true
    private(set) var count = 0

    /// `codes`: where the dictionary codes go (a window of the read's shared column memory),
    /// else memory of the accumulator's own.
    init(capacity: Int, codes window: consuming BufferBuilder<Int32>? = nil) {
        if var window = window.take() {
            swap(&codes, &window)
        } else {
            codes.reserve(capacity)
        }
    }

    /// Appends a present value; false when it is not valid UTF-8.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        count += 1
        if isDictionary {
            let (code, isNew) = interner.intern(bytes)
            codes.append(code)
            return !isNew || UTF8Validation.isValid(bytes)
        }
        plain.append(utf8: bytes)
        return UTF8Validation.isValid(bytes)
    }

    /// The dictionary's lookup view while the column is dictionary-encoded.
    var dictionaryProbe: StringDictionaryBuilder.Probe? { isDictionary ? interner.probe : nil }

    /// Marks a fast-path value whose dictionary code was not found during the parse: the low
    /// bits then hold the position of its first byte.
    static let needsIntern: UInt64 = 1 << 63

    /// Appends `rows` values delimited by the CSV fast path. Per row, `flags` is 1 for a
    /// missing value, 2 for a value between quotes and 0 otherwise; `ends` holds the field's
    /// terminator position (``FieldBlock``'s low bits); `values` holds the dictionary code the
    /// parse found, or (plain storage, or ``needsIntern`` set) the position of the value's first
    /// byte in `base`. Returns the first row whose value is not valid UTF-8, or `nil`.
    mutating func appendFastRows(base: UnsafePointer<UInt8>, inputEnd: Int, values: UnsafePointer<UInt64>, ends: UnsafePointer<Int>,
                                 flags: UnsafePointer<UInt8>, rows: Int) -> Int? {
        @inline(__always) func field(_ row: Int, start: Int) -> UnsafeBufferPointer<UInt8> {
            let end = (ends[row] & FieldBlock.positionMask) &- Int(flags[row] >> 1)
            return UnsafeBufferPointer(start: base + start, count: end &- start)
        }
        count += rows
        var failed: Int?
        if isDictionary {
            var local = BufferBuilder<Int32>()
            swap(&local, &codes)
            local.appendUninitialized(count: rows) { out in
                for row in 0..<rows {
                    let v = values[row]
                    if flags[row] == 1 {
                        out[row] = 0
                    } else if v & StringAccumulator.needsIntern == 0 {
                        out[row] = Int32(truncatingIfNeeded: v)
                    } else {
                        let bytes = field(row, start: Int(truncatingIfNeeded: v & ~StringAccumulator.needsIntern))
                        let (code, isNew) = interner.intern(bytes)
                        out[row] = code
                        if isNew && failed == nil && !UTF8Validation.isValid(bytes) { failed = row }
                    }
                }
            }
            swap(&local, &codes)
            return failed
        }
        var total = 0
        for row in 0..<rows where flags[row] != 1 { total &+= field(row, start: Int(truncatingIfNeeded: values[row])).count }
        var ascii = true
        plain.appendUninitialized(count: rows, byteCount: total) { out, offsets, first in
            var written = 0
            var high: UInt64 = 0
            for row in 0..<rows {
                if flags[row] != 1 {
                    let start = Int(truncatingIfNeeded: values[row])
                    let n = field(row, start: start).count
                    // Strings up to 16 bytes move as two words (the slack after the target
                    // takes what lies beyond), longer ones with a copy.
                    if n <= 16 && start &+ 16 <= inputEnd {
                        let source = UnsafeRawPointer(base + start), target = UnsafeMutableRawPointer(out + written)
                        let a = source.loadUnaligned(as: UInt64.self), b = source.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                        target.storeBytes(of: a, as: UInt64.self)
                        target.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
                        // Only the string's own bytes count for the ASCII test.
                        let keepA: UInt64 = n >= 8 ? ~0 : (1 &<< UInt64(n &* 8)) &- 1
                        let keepB: UInt64 = n >= 16 ? ~0 : (n <= 8 ? 0 : (1 &<< UInt64((n &- 8) &* 8)) &- 1)
                        high |= (a & keepA) | (b & keepB)
                    } else {
                        (out + written).update(from: base + start, count: n)
                        high |= 0x80
                    }
                    written &+= n
                }
                offsets[row] = first &+ Int32(truncatingIfNeeded: written)
            }
            ascii = high & 0x8080_8080_8080_8080 == 0
        }
        if ascii { return nil }
        for row in 0..<rows where flags[row] != 1 {
            if !UTF8Validation.isValid(field(row, start: Int(truncatingIfNeeded: values[row]))) { return row }
        }
        return nil
    }

    /// Appends the slot of a missing value.
    @inline(__always)
    mutating func appendMissing() {
        count += 1
        if isDictionary { codes.append(0) } else { plain.appendEmpty() }
    }

    /// Switches to plain storage when the dictionary holds more than 1000 strings and more than
    /// half of the (at least 16 Ki) rows seen are distinct.
    /// True when it switched. `validity` holds the rows appended so far: missing ones become
    /// empty strings, as ``appendMissing()`` writes them in plain storage (their code is only a
    /// placeholder). `plain` makes the (empty) builder of the plain strings.
    @discardableResult
    mutating func checkCardinality(validity: borrowing ValidityWriter,
                                   plain makePlain: () -> StringArrayBuilder = { StringArrayBuilder() }) -> Bool {
        guard isDictionary, count >= 16_384, interner.count > 1000, interner.count * 2 > count else { return false }
        assert(validity.count == count, "string values and validity out of step")
        let blankMissing = validity.nullCount > 0 && validity.count == count
        var newPlain = makePlain()
        codes.withUnsafeBufferPointer { all in
            for (row, code) in all.enumerated() {
                if blankMissing && !validity.isValid(row) {
                    newPlain.appendEmpty()
                } else {
                    newPlain.append(utf8: interner.string(Int(code)))
                }
            }
        }
        var emptied = StringDictionaryBuilder()
        swap(&emptied, &interner)
        swap(&plain, &newPlain)
        var emptyCodes = BufferBuilder<Int32>()
        swap(&codes, &emptyCodes)
        isDictionary = false
        return true
    }

    /// The finished storage. A dictionary with no strings (only missing values) becomes plain,
    /// so that every code points at an entry.
    consuming func finish() -> StringColumn.Storage {
        if isDictionary {
            let dictionary = interner.finish()
            let codeBuffer = codes.finish()
            if dictionary.count == 0 {
                var empty = StringArrayBuilder(capacity: codeBuffer.count)
                for _ in 0..<codeBuffer.count { empty.appendEmpty() }
                _ = plain.finish()
                return .plain(empty.finish())
            }
            _ = plain.finish()
            return .dictionary(codes: codeBuffer, dictionary: dictionary)
        }
        _ = interner.finish()
        _ = codes.finish()
        return .plain(plain.finish())
    }
}
