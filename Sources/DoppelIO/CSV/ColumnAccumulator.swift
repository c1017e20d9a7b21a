import DoppelTable

/// One column of one chunk as it is being parsed: the inferred kind so far and the typed
/// builder of that kind.
///
/// Widening keeps the values: `int → float` converts the integers (a Double conversion rounds
/// to nearest exactly like `strtod` on the integer's text would), `date → timestamp` scales days
/// to microseconds. Anything that needs a string after other kinds *abandons* the typed values;
/// the chunk's texts of that column are read again later (rare, and it keeps the hot path free of
/// per-value text bookkeeping).
final class ColumnAccumulator {
    /// Where a column's values go when they are written straight into the read's shared
    /// column memory (``CSVColumnRegions``).
    struct Target {
        let regions: CSVColumnRegions
        let column: Int
        let chunk: Int
    }

    let isForced: Bool
    private let capacityHint: Int
    private let target: Target?
    private(set) var kind: InferredKind
    /// Became `string` after typed values: the values must be read again from the text.
    private(set) var abandoned = false
    var validity: ValidityWriter
    var int64s = BufferBuilder<Int64>()
    var doubles = BufferBuilder<Double>()
    var bools = BufferBuilder<UInt8>()
    var days = BufferBuilder<Int32>()
    var strings: StringAccumulator

    init(forced: InferredKind?, capacityHint: Int, target: Target? = nil) {
        isForced = forced != nil
        self.capacityHint = capacityHint
        self.target = target
        kind = forced ?? .empty
        validity = ValidityWriter(capacity: capacityHint)
        strings = StringAccumulator(capacity: 0)
        reserve(kind)
    }

    var rowCount: Int { validity.count }

    /// An empty builder for values of type `T`: the chunk's window of the shared column memory,
    /// or memory of its own.
    private func makeBuilder<T: BitwiseCopyable>(_ type: T.Type) -> BufferBuilder<T> {
        if let target { return target.regions.builder(column: target.column, chunk: target.chunk, of: T.self) }
        return BufferBuilder<T>(capacity: capacityHint)
    }

    private func reserve(_ kind: InferredKind) {
        switch kind {
        case .int, .timestamp: int64s = makeBuilder(Int64.self)
        case .float: doubles = makeBuilder(Double.self)
        case .bool: bools = makeBuilder(UInt8.self)
        case .date: days = makeBuilder(Int32.self)
        case .string:
            // Dictionary codes go to the chunk's 4-byte window of the column.
            var fresh = StringAccumulator(capacity: capacityHint, codes: target == nil ? nil : makeBuilder(Int32.self))
            swap(&strings, &fresh)
        case .empty: break
        }
    }

    /// Lets the strings switch to plain storage when they look high-cardinality
    /// (``StringAccumulator/checkCardinality(validity:plain:)``); the codes' window is then given back.
    func checkStringCardinality() {
        let target = self.target
        let switched = strings.checkCardinality(validity: validity) {
            // Plain strings go to the chunk's windows of the column's offset and byte blocks.
            if let target { return target.regions.stringBuilder(column: target.column, chunk: target.chunk) }
            return StringArrayBuilder(capacity: capacityHint)
        }
        guard switched, let target else { return }
        target.regions.release(column: target.column, chunk: target.chunk, width: 4)
    }

    /// Moves to `newKind` (the join of the current kind and a new value's kind).
    func widen(to newKind: InferredKind) {
        let rows = rowCount
        switch (kind, newKind) {
        case (.empty, _):
            reserve(newKind)
            switch newKind {
            case .int, .timestamp: int64s.append(repeating: 0, count: rows)
            case .float: doubles.append(repeating: 0, count: rows)
            case .bool: bools.append(repeating: 0, count: rows)
            case .date: days.append(repeating: 0, count: rows)
            case .string:
                for _ in 0..<rows { strings.appendMissing() }
            case .empty: break
            }
        case (.int, .float):
            // With shared column memory both builders use the same window: each value is read
            // before its slot is overwritten, so converting in place is safe.
            var converted = makeBuilder(Double.self)
            int64s.withUnsafeBufferPointer { source in
                converted.appendUninitialized(count: source.count) { out in
                    for i in 0..<source.count { out[i] = Double(source[i]) }
                }
            }
            swap(&doubles, &converted)
            var none = BufferBuilder<Int64>()
            swap(&int64s, &none)
        case (.date, .timestamp):
            var converted = makeBuilder(Int64.self)
            days.withUnsafeBufferPointer { for d in $0 { converted.append(Int64(d) * TemporalFormat.microsPerDay) } }
            swap(&int64s, &converted)
            var none = BufferBuilder<Int32>()
            swap(&days, &none)
        default:
            abandoned = true
            var noInts = BufferBuilder<Int64>(), noDoubles = BufferBuilder<Double>()
            var noBools = BufferBuilder<UInt8>(), noDays = BufferBuilder<Int32>()
            swap(&int64s, &noInts); swap(&doubles, &noDoubles); swap(&bools, &noBools); swap(&days, &noDays)
        }
        kind = newKind
    }

    /// The finished column part, or `nil` when it was abandoned or saw only missing values.
    func finish() -> Column? {
        if abandoned || kind == .empty { return nil }
        var bits = ValidityWriter()
        swap(&bits, &validity)
        let v = bits.finish()
        switch kind {
        case .int: return .int64(PrimitiveColumn(values: take(&int64s), validity: v))
        case .timestamp: return .timestamp(PrimitiveColumn(values: take(&int64s), validity: v))
        case .float:
            var b = BufferBuilder<Double>(); swap(&b, &doubles)
            return .float64(PrimitiveColumn(values: b.finish(), validity: v))
        case .bool:
            var b = BufferBuilder<UInt8>(); swap(&b, &bools)
            return .bool(PrimitiveColumn(values: b.finish(), validity: v))
        case .date:
            var b = BufferBuilder<Int32>(); swap(&b, &days)
            return .date(PrimitiveColumn(values: b.finish(), validity: v))
        case .string:
            var s = StringAccumulator(capacity: 0); swap(&s, &strings)
            return .string(StringColumn(storage: s.finish(), validity: v))
        case .empty: return nil
        }
    }

    private func take(_ builder: inout BufferBuilder<Int64>) -> Buffer<Int64> {
        var b = BufferBuilder<Int64>()
        swap(&b, &builder)
        return b.finish()
    }
}

extension ColumnAccumulator {
    /// Appends `count` values parsed by the fast path: `values` holds one 64-bit slot per row
    /// (the bit pattern of the kind's value), `missing` one byte per row (1 = missing).
    func appendParsed(_ values: UnsafePointer<UInt64>, missing: UnsafePointer<UInt8>, count: Int) {
        validity.append(missingFlags: missing, count: count)
        let raw = UnsafeRawPointer(values)
        switch kind {
        case .int, .timestamp:
            int64s.append(contentsOf: UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Int64.self), count: count))
        case .float:
            doubles.append(contentsOf: UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Double.self), count: count))
        case .bool:
            var local = BufferBuilder<UInt8>()
            swap(&local, &bools)
            local.appendUninitialized(count: count) { out in
                for row in 0..<count { out[row] = UInt8(truncatingIfNeeded: values[row]) }
            }
            swap(&local, &bools)
        case .date:
            var local = BufferBuilder<Int32>()
            swap(&local, &days)
            local.appendUninitialized(count: count) { out in
                for row in 0..<count { out[row] = Int32(truncatingIfNeeded: values[row]) }
            }
            swap(&local, &days)
        case .string, .empty:
            break
        }
    }
}
