// Widening of the narrow integer columns (int8/int16/int32) to int64.

extension PrimitiveColumn where Value: BinaryInteger {
    /// The values as `U`, truncated when `U` is narrower (a copy; the validity bitmap is shared).
    public func converted<U: FixedWidthInteger & BitwiseCopyable>(to type: U.Type) -> PrimitiveColumn<U> {
        var out = BufferBuilder<U>(capacity: count)
        values.withUnsafeBufferPointer { source in
            out.appendUninitialized(count: source.count) { target in
                for i in 0..<source.count { target[i] = U(truncatingIfNeeded: source[i]) }
            }
        }
        return PrimitiveColumn<U>(values: out.finish(), validity: validity)
    }

    /// The same values as `Int64` (a copy; the validity bitmap is shared).
    public func widenedToInt64() -> PrimitiveColumn<Int64> { converted(to: Int64.self) }
}

extension Column {
    /// An `int64` column with the same values when `self` is a narrow integer column
    /// (`int8`, `int16`, `int32`); any other column unchanged (no copy). Lets the steps that
    /// read user data see one integer type whatever width a file declares.
    public func widenedToInt64() -> Column {
        switch self {
        case .int8(let c): .int64(c.widenedToInt64())
        case .int16(let c): .int64(c.widenedToInt64())
        case .int32(let c): .int64(c.widenedToInt64())
        case .int64, .float64, .bool, .string, .timestamp, .date: self
        }
    }
}

extension Table {
    /// The same table with every narrow integer column widened to `int64`
    /// (see ``Column/widenedToInt64()``); the table itself when it has none.
    public func widenedToInt64() -> Table {
        guard columns.contains(where: { $0.type.isInteger && $0.type != .int64 }) else { return self }
        // Same names and lengths, only the integer widths change: the shape cannot fail.
        return try! Table(zip(schema.names, columns.map { $0.widenedToInt64() }).map { ($0, $1) })
    }
}
