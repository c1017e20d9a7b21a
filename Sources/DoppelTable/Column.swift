/// A column of fixed-width values with an optional validity bitmap (`nil` = no missing values).
///
/// The value slot of a missing row is undefined but readable (zero when built by our builders).
public struct PrimitiveColumn<Value: BitwiseCopyable>: Sendable {
    public let values: Buffer<Value>
    public let validity: ValidityBitmap?

    public init(values: Buffer<Value>, validity: ValidityBitmap? = nil) {
        precondition(validity == nil || validity!.count == values.count, "validity length differs from values")
        self.values = values
        self.validity = validity
    }

    public var count: Int { values.count }
    public var nullCount: Int { validity?.nullCount ?? 0 }

    @inlinable public func isValid(_ row: Int) -> Bool { validity?.isValid(row) ?? true }

    /// The value at `row`, or `nil` when missing.
    @inlinable public subscript(row: Int) -> Value? { isValid(row) ? values[row] : nil }

    public func slice(_ range: Range<Int>) -> PrimitiveColumn {
        PrimitiveColumn(values: values.slice(range), validity: validity?.slice(range))
    }

    /// Gathers the rows at `indices` into a new column.
    public func take(_ indices: UnsafeBufferPointer<Int>) -> PrimitiveColumn {
        var out = BufferBuilder<Value>(capacity: indices.count)
        values.withUnsafeBufferPointer { src in
            out.appendUninitialized(count: indices.count) { dst in
                for (i, row) in indices.enumerated() { dst[i] = src[row] }
            }
        }
        return PrimitiveColumn(values: out.finish(), validity: validity.flatMap { takeValidity($0, indices) })
    }
}

/// Gathers validity bits; `nil` when every taken row is valid.
func takeValidity(_ bitmap: ValidityBitmap, _ indices: UnsafeBufferPointer<Int>) -> ValidityBitmap? {
    var builder = BitmapBuilder(capacity: indices.count)
    for row in indices { builder.append(bitmap.isValid(row)) }
    return builder.finish()
}

/// Variable-length UTF-8 strings: `offsets[i]..<offsets[i+1]` delimits string `i` in `bytes`.
///
/// `offsets` has `count + 1` entries and need not start at 0 (slices keep the parent's bytes).
public struct StringArray: Sendable {
    public let offsets: Buffer<Int32>
    public let bytes: Buffer<UInt8>

    public init(offsets: Buffer<Int32>, bytes: Buffer<UInt8>) {
        precondition(offsets.count >= 1, "string offsets need count + 1 entries")
        self.offsets = offsets
        self.bytes = bytes
    }

    /// Builds an array from Swift strings (for tests and small dictionaries).
    public init<S: Sequence>(_ strings: S) where S.Element == String {
        var builder = StringArrayBuilder()
        for s in strings { builder.append(s) }
        self = builder.finish()
    }

    public var count: Int { offsets.count - 1 }

    /// The UTF-8 bytes of string `i`; valid while `self` is alive.
    @inlinable public func utf8(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(offsets[i]), end = Int(offsets[i + 1])
        return bytes.withUnsafeBufferPointer { UnsafeBufferPointer(rebasing: $0[start..<end]) }
    }

    public subscript(i: Int) -> String { String(decoding: utf8(i), as: UTF8.self) }

    public func slice(_ range: Range<Int>) -> StringArray {
        StringArray(offsets: offsets.slice(range.lowerBound..<(range.upperBound + 1)), bytes: bytes)
    }

    /// Number of bytes spanned by the strings in view.
    public var byteCount: Int { Int(offsets[count]) - Int(offsets[0]) }

    /// The same strings with offsets starting at 0 and only the bytes in view (what files store).
    public func compacted() -> StringArray {
        let first = offsets[0]
        if first == 0 && Int(offsets[count]) == bytes.count { return self }
        var newOffsets = BufferBuilder<Int32>(capacity: count + 1)
        offsets.withUnsafeBufferPointer { for o in $0 { newOffsets.append(o - first) } }
        var newBytes = BufferBuilder<UInt8>(capacity: byteCount)
        bytes.withUnsafeBufferPointer { newBytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[Int(first)..<Int(offsets[count])])) }
        return StringArray(offsets: newOffsets.finish(), bytes: newBytes.finish())
    }

    public func take(_ indices: UnsafeBufferPointer<Int>) -> StringArray {
        var builder = StringArrayBuilder(capacity: indices.count)
        for i in indices { builder.append(utf8: utf8(i)) }
        return builder.finish()
    }
}

/// Appends strings into contiguous offsets + bytes.
public struct StringArrayBuilder: ~Copyable {
    @usableFromInline var offsets: BufferBuilder<Int32>
    @usableFromInline var bytes: BufferBuilder<UInt8>

    public init(capacity: Int = 0, byteCapacity: Int = 0) {
        offsets = BufferBuilder(capacity: capacity + 1)
        bytes = BufferBuilder(capacity: byteCapacity)
        offsets.append(0)
    }

    /// A builder that writes into the given (empty) builders, e.g. windows of shared memory.
    public init(offsets: consuming BufferBuilder<Int32>, bytes: consuming BufferBuilder<UInt8>) {
        precondition(offsets.count == 0 && bytes.count == 0, "string builders must start empty")
        self.offsets = offsets
        self.bytes = bytes
        self.offsets.append(0)
    }

    public var count: Int { offsets.count - 1 }
    public var byteCount: Int { bytes.count }

    @inlinable public mutating func append(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: utf8)
        precondition(bytes.count <= Int(Int32.max), "string column exceeds 2 GiB of text")
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
    }

    public mutating func append(_ string: String) {
        var s = string
        s.withUTF8 { append(utf8: $0) }
    }

    /// Appends `count` strings of `byteCount` bytes in all, written by `body`: it gets the
    /// place of the first new byte (with at least 16 writable bytes after the last one, so that
    /// short strings can be copied in whole words), the slots of the `count` new end offsets,
    /// and the offset of the first new byte, which the ends count from.
    @inlinable public mutating func appendUninitialized(count: Int, byteCount: Int,
                                                        _ body: (_ bytes: UnsafeMutablePointer<UInt8>, _ ends: UnsafeMutableBufferPointer<Int32>, _ firstOffset: Int32) -> Void) {
        let first = bytes.count
        precondition(first + byteCount <= Int(Int32.max), "string column exceeds 2 GiB of text")
        var target: UnsafeMutablePointer<UInt8>?
        bytes.appendUninitialized(count: byteCount + 16) { target = $0.baseAddress }
        offsets.appendUninitialized(count: count) { body(target!, $0, Int32(first)) }
        bytes.removeLast(16)
    }

    /// Appends an empty string (the slot of a missing value).
    @inlinable public mutating func appendEmpty() {
        offsets.append(Int32(truncatingIfNeeded: bytes.count))
    }

    public consuming func finish() -> StringArray {
        StringArray(offsets: offsets.finish(), bytes: bytes.finish())
    }
}

/// A string column, stored plain or dictionary-encoded.
public struct StringColumn: Sendable {
    public enum Storage: Sendable {
        /// One entry per row.
        case plain(StringArray)
        /// `codes[row]` indexes `dictionary`; the dictionary holds distinct strings.
        case dictionary(codes: Buffer<Int32>, dictionary: StringArray)
    }

    public let storage: Storage
    public let validity: ValidityBitmap?

    public init(storage: Storage, validity: ValidityBitmap? = nil) {
        self.storage = storage
        self.validity = validity
    }

    public var count: Int {
        switch storage {
        case .plain(let a): a.count
        case .dictionary(let codes, _): codes.count
        }
    }

    public var nullCount: Int { validity?.nullCount ?? 0 }
    @inlinable public func isValid(_ row: Int) -> Bool { validity?.isValid(row) ?? true }

    /// UTF-8 bytes of the string at `row` (empty for a missing value).
    @inlinable public func utf8(_ row: Int) -> UnsafeBufferPointer<UInt8> {
        switch storage {
        case .plain(let a): a.utf8(row)
        case .dictionary(let codes, let dictionary): dictionary.utf8(Int(codes[row]))
        }
    }

    /// The string at `row`, or `nil` when missing.
    public subscript(row: Int) -> String? {
        isValid(row) ? String(decoding: utf8(row), as: UTF8.self) : nil
    }

    /// The same strings stored plain (offsets + bytes); a plain column is returned as it is.
    /// Missing rows become empty strings.
    public func plain() -> StringColumn {
        guard case .dictionary(let codes, let dictionary) = storage else { return self }
        var strings = StringArrayBuilder(capacity: codes.count)
        for row in 0..<codes.count {
            if isValid(row) { strings.append(utf8: dictionary.utf8(Int(codes[row]))) } else { strings.appendEmpty() }
        }
        return StringColumn(storage: .plain(strings.finish()), validity: validity)
    }

    public func slice(_ range: Range<Int>) -> StringColumn {
        let v = validity?.slice(range)
        switch storage {
        case .plain(let a): return StringColumn(storage: .plain(a.slice(range)), validity: v)
        case .dictionary(let codes, let d): return StringColumn(storage: .dictionary(codes: codes.slice(range), dictionary: d), validity: v)
        }
    }

    public func take(_ indices: UnsafeBufferPointer<Int>) -> StringColumn {
        let v = validity.flatMap { takeValidity($0, indices) }
        switch storage {
        case .plain(let a):
            return StringColumn(storage: .plain(a.take(indices)), validity: v)
        case .dictionary(let codes, let d):
            return StringColumn(storage: .dictionary(codes: PrimitiveColumn(values: codes).take(indices).values, dictionary: d), validity: v)
        }
    }
}

/// One column of a ``Table``: a typed, contiguous buffer plus validity.
public enum Column: Sendable {
    case int64(PrimitiveColumn<Int64>)
    case int8(PrimitiveColumn<Int8>)
    case int16(PrimitiveColumn<Int16>)
    case int32(PrimitiveColumn<Int32>)
    case float64(PrimitiveColumn<Double>)
    /// One byte per value, 0 or 1.
    case bool(PrimitiveColumn<UInt8>)
    case string(StringColumn)
    /// Microseconds since 1970-01-01T00:00:00Z.
    case timestamp(PrimitiveColumn<Int64>)
    /// Days since 1970-01-01.
    case date(PrimitiveColumn<Int32>)

    public var type: DataType {
        switch self {
        case .int64: .int64
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .timestamp: .timestamp
        case .date: .date
        }
    }

    public var count: Int {
        switch self {
        case .int64(let c), .timestamp(let c): c.count
        case .int8(let c): c.count
        case .int16(let c): c.count
        case .int32(let c), .date(let c): c.count
        case .float64(let c): c.count
        case .bool(let c): c.count
        case .string(let c): c.count
        }
    }

    public var validity: ValidityBitmap? {
        switch self {
        case .int64(let c), .timestamp(let c): c.validity
        case .int8(let c): c.validity
        case .int16(let c): c.validity
        case .int32(let c), .date(let c): c.validity
        case .float64(let c): c.validity
        case .bool(let c): c.validity
        case .string(let c): c.validity
        }
    }

    public var nullCount: Int { validity?.nullCount ?? 0 }

    @inlinable public func isValid(_ row: Int) -> Bool { validity?.isValid(row) ?? true }

    /// Zero-copy slice of rows.
    public func slice(_ range: Range<Int>) -> Column {
        switch self {
        case .int64(let c): .int64(c.slice(range))
        case .int8(let c): .int8(c.slice(range))
        case .int16(let c): .int16(c.slice(range))
        case .int32(let c): .int32(c.slice(range))
        case .float64(let c): .float64(c.slice(range))
        case .bool(let c): .bool(c.slice(range))
        case .string(let c): .string(c.slice(range))
        case .timestamp(let c): .timestamp(c.slice(range))
        case .date(let c): .date(c.slice(range))
        }
    }

    /// Gathers the rows at `indices` (a copy; dictionaries are shared).
    public func take(_ indices: UnsafeBufferPointer<Int>) -> Column {
        switch self {
        case .int64(let c): .int64(c.take(indices))
        case .int8(let c): .int8(c.take(indices))
        case .int16(let c): .int16(c.take(indices))
        case .int32(let c): .int32(c.take(indices))
        case .float64(let c): .float64(c.take(indices))
        case .bool(let c): .bool(c.take(indices))
        case .string(let c): .string(c.take(indices))
        case .timestamp(let c): .timestamp(c.take(indices))
        case .date(let c): .date(c.take(indices))
        }
    }

    public func take(_ indices: [Int]) -> Column {
        indices.withUnsafeBufferPointer { take($0) }
    }

    /// The value at `row` as a ``Value`` (boxed: for tests, messages and small data, never in
    /// hot loops). Integers of every width come back as ``Value/int64(_:)``.
    public func value(at row: Int) -> Value? {
        guard isValid(row) else { return nil }
        switch self {
        case .int64(let c): return .int64(c.values[row])
        case .int8(let c): return .int64(Int64(c.values[row]))
        case .int16(let c): return .int64(Int64(c.values[row]))
        case .int32(let c): return .int64(Int64(c.values[row]))
        case .float64(let c): return .float64(c.values[row])
        case .bool(let c): return .bool(c.values[row] != 0)
        case .string(let c): return .string(String(decoding: c.utf8(row), as: UTF8.self))
        case .timestamp(let c): return .timestamp(c.values[row])
        case .date(let c): return .date(c.values[row])
        }
    }
}

/// A single cell value, boxed. For tests, error messages and small metadata only.
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case int64(Int64)
    case float64(Double)
    case bool(Bool)
    case string(String)
    case timestamp(Int64)
    case date(Int32)

    public var description: String {
        switch self {
        case .int64(let v): String(v)
        case .float64(let v): String(v)
        case .bool(let v): String(v)
        case .string(let v): v
        case .timestamp(let v): TemporalFormat.formatTimestamp(micros: v)
        case .date(let v): TemporalFormat.formatDate(days: v)
        }
    }
}
