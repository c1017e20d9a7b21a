/// Which values of a column are present, one bit per row (1 = valid), least significant bit
/// first, as in the Arrow columnar format.
///
/// A bitmap carries a bit offset so that row slices stay zero-copy.
public struct ValidityBitmap: Sendable, Equatable {
    public let bytes: Buffer<UInt8>
    /// Index of the bit for row 0 inside `bytes`.
    public let bitOffset: Int
    public let count: Int
    /// Number of missing (0) bits among the `count` rows.
    public let nullCount: Int

    public init(bytes: Buffer<UInt8>, bitOffset: Int = 0, count: Int, nullCount: Int? = nil) {
        precondition((bitOffset + count + 7) / 8 <= bytes.count, "bitmap too short")
        self.bytes = bytes
        self.bitOffset = bitOffset
        self.count = count
        self.nullCount = nullCount ?? ValidityBitmap.countNulls(bytes: bytes, bitOffset: bitOffset, count: count)
    }

    @inlinable public func isValid(_ row: Int) -> Bool {
        let bit = bitOffset + row
        return bytes[bit >> 3] & (1 << UInt8(bit & 7)) != 0
    }

    /// Zero-copy slice of rows.
    public func slice(_ range: Range<Int>) -> ValidityBitmap {
        let nulls = ValidityBitmap.countNulls(bytes: bytes, bitOffset: bitOffset + range.lowerBound, count: range.count)
        return ValidityBitmap(bytes: bytes, bitOffset: bitOffset + range.lowerBound, count: range.count, nullCount: nulls)
    }

    /// The same bits re-packed to start at bit 0 (what file formats store). Returns `self` when
    /// already aligned.
    public func aligned() -> ValidityBitmap {
        if bitOffset == 0 { return self }
        var builder = BitmapBuilder(capacity: count)
        for row in 0..<count { builder.append(isValid(row)) }
        return builder.finish()!
    }

    static func countNulls(bytes: Buffer<UInt8>, bitOffset: Int, count: Int) -> Int {
        var valid = 0
        bytes.withUnsafeBufferPointer { p in
            var bit = bitOffset
            let end = bitOffset + count
            while bit < end && bit & 7 != 0 {
                if p[bit >> 3] & (1 << UInt8(bit & 7)) != 0 { valid += 1 }
                bit += 1
            }
            while bit + 8 <= end {
                valid += p[bit >> 3].nonzeroBitCount
                bit += 8
            }
            while bit < end {
                if p[bit >> 3] & (1 << UInt8(bit & 7)) != 0 { valid += 1 }
                bit += 1
            }
        }
        return count - valid
    }
}

/// Builds a ``ValidityBitmap`` one row at a time.
public struct BitmapBuilder: ~Copyable {
    @usableFromInline var bytes: BufferBuilder<UInt8>
    @usableFromInline var _count = 0
    @usableFromInline var nulls = 0

    public init(capacity: Int = 0) {
        bytes = BufferBuilder(capacity: (capacity + 7) / 8)
    }

    public var count: Int { _count }
    public var nullCount: Int { nulls }

    @inlinable public mutating func append(_ valid: Bool) {
        if _count & 7 == 0 { bytes.append(0) }
        if valid {
            bytes[_count >> 3] |= 1 << UInt8(_count & 7)
        } else {
            nulls += 1
        }
        _count += 1
    }

    /// Appends `n` bits of the same value.
    public mutating func append(_ valid: Bool, count n: Int) {
        for _ in 0..<n { append(valid) }
    }

    /// The bitmap, or `nil` when every row is valid (Arrow's convention for "no nulls").
    public consuming func finish() -> ValidityBitmap? {
        let n = _count, nullCount = nulls
        let buffer = bytes.finish()
        return nullCount == 0 ? nil : ValidityBitmap(bytes: buffer, count: n, nullCount: nullCount)
    }
}
