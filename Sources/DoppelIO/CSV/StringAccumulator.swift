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

    init(capacity: Int) {
        codes.reserve(capacity)
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

    /// Appends the slot of a missing value.
    @inline(__always)
    mutating func appendMissing() {
        count += 1
        if isDictionary { codes.append(0) } else { plain.appendEmpty() }
    }

    /// Switches to plain storage when the dictionary holds more than 1000 strings and more than
    /// half of the (at least 16 Ki) rows seen are distinct.
    mutating func checkCardinality() {
        guard isDictionary, count >= 16_384, interner.count > 1000, interner.count * 2 > count else { return }
        var newPlain = StringArrayBuilder(capacity: count)
        codes.withUnsafeBufferPointer { all in
            for code in all { newPlain.append(utf8: interner.string(Int(code))) }
        }
        var emptied = StringDictionaryBuilder()
        swap(&emptied, &interner)
        swap(&plain, &newPlain)
        var emptyCodes = BufferBuilder<Int32>()
        swap(&codes, &emptyCodes)
        isDictionary = false
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
