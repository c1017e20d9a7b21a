/// A FlatBuffers table to serialize: field id → scalar or reference to another value.
///
/// Only what the Arrow IPC metadata needs: scalar fields, strings, sub-tables, vectors of tables
/// and vectors of structs (given as raw little-endian bytes).
struct FlatTable {
    enum Slot {
        /// A little-endian scalar of `size` bytes (1, 2, 4 or 8).
        case scalar(bits: UInt64, size: Int)
        /// A uoffset to a value stored after the table.
        case reference(FlatValue)
    }

    private(set) var slots: [Int: Slot] = [:]

    init() {}

    mutating func set(_ id: Int, int8 value: UInt8) { slots[id] = .scalar(bits: UInt64(value), size: 1) }
    mutating func set(_ id: Int, bool value: Bool) { slots[id] = .scalar(bits: value ? 1 : 0, size: 1) }
    mutating func set(_ id: Int, int16 value: Int16) { slots[id] = .scalar(bits: UInt64(UInt16(bitPattern: value)), size: 2) }
    mutating func set(_ id: Int, int32 value: Int32) { slots[id] = .scalar(bits: UInt64(UInt32(bitPattern: value)), size: 4) }
    mutating func set(_ id: Int, int64 value: Int64) { slots[id] = .scalar(bits: UInt64(bitPattern: value), size: 8) }
    mutating func set(_ id: Int, _ value: FlatValue) { slots[id] = .reference(value) }
}

/// A non-scalar FlatBuffers value: referenced from a table by a forward uoffset.
indirect enum FlatValue {
    case table(FlatTable)
    case string(String)
    case tables([FlatTable])
    /// `count` structs of `stride` bytes each, already encoded little-endian, aligned to `alignment`.
    case structs(bytes: [UInt8], count: Int, alignment: Int)
}

/// Serializes a tree of ``FlatTable`` values into a FlatBuffers buffer.
///
/// FlatBuffers binary format (flatbuffers.dev, "Internals"): the buffer starts with a uint32
/// offset to the root table; a table starts with an int32 `soffset` such that
/// `vtable = table - soffset`; a vtable holds uint16 `vtable size`, uint16 `table size` and one
/// uint16 offset per field id (0 = absent, default value). References (strings, vectors, tables)
/// are uint32 offsets relative to the referring field and must point forward. Vectors and
/// strings start with a uint32 element count; strings end with a zero byte.
///
/// The official builders fill the buffer back to front; this one writes front to back (each
/// table first, its children after it), which satisfies the same rules: every uoffset points to
/// a higher address and every scalar is aligned to its size relative to the buffer start.
struct FlatBufferBuilder {
    private(set) var bytes: [UInt8] = []

    /// The serialized buffer for `root`, padded to a multiple of 8 bytes.
    static func serialize(_ root: FlatTable) -> [UInt8] {
        var builder = FlatBufferBuilder()
        builder.appendScalar(0, size: 4)
        let rootPosition = builder.write(root)
        builder.patchOffset(at: 0, target: rootPosition)
        builder.pad(to: 8)
        return builder.bytes
    }

    private mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    private mutating func appendScalar(_ bits: UInt64, size: Int) {
        for i in 0..<size { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
    }

    private mutating func patchOffset(at position: Int, target: Int) {
        let delta = UInt32(target - position)
        for i in 0..<4 { bytes[position + i] = UInt8(truncatingIfNeeded: delta >> (8 * UInt32(i))) }
    }

    /// Writes a vtable and its table; returns the table's position.
    private mutating func write(_ table: FlatTable) -> Int {
        let fieldCount = (table.slots.keys.max() ?? -1) + 1
        // Inline layout: the soffset, then fields from largest to smallest (no padding needed
        // between them except after the 4-byte soffset).
        let ordered = table.slots.sorted { a, b in
            let sa = FlatBufferBuilder.inlineSize(a.value), sb = FlatBufferBuilder.inlineSize(b.value)
            return sa != sb ? sa > sb : a.key < b.key
        }
        var fieldOffsets = [Int](repeating: 0, count: fieldCount)
        var inlineSize = 4
        for (id, slot) in ordered {
            let size = FlatBufferBuilder.inlineSize(slot)
            inlineSize = (inlineSize + size - 1) / size * size
            fieldOffsets[id] = inlineSize
            inlineSize += size
        }

        pad(to: 2)
        let vtablePosition = bytes.count
        appendScalar(UInt64(4 + 2 * fieldCount), size: 2)
        appendScalar(UInt64(inlineSize), size: 2)
        for offset in fieldOffsets { appendScalar(UInt64(offset), size: 2) }

        pad(to: 8)
        let tablePosition = bytes.count
        appendScalar(UInt64(UInt32(tablePosition - vtablePosition)), size: 4)
        bytes.append(contentsOf: repeatElement(0, count: inlineSize - 4))
        var references: [(position: Int, value: FlatValue)] = []
        for (id, slot) in ordered {
            let position = tablePosition + fieldOffsets[id]
            switch slot {
            case .scalar(let bits, let size):
                for i in 0..<size { bytes[position + i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i))) }
            case .reference(let value):
                references.append((position, value))
            }
        }
        for (position, value) in references {
            patchOffset(at: position, target: write(value))
        }
        return tablePosition
    }

    /// Writes a referenced value; returns its position (the length prefix for vectors/strings).
    private mutating func write(_ value: FlatValue) -> Int {
        switch value {
        case .table(let table):
            return write(table)
        case .string(let string):
            pad(to: 4)
            let position = bytes.count
            let utf8 = Array(string.utf8)
            appendScalar(UInt64(utf8.count), size: 4)
            bytes.append(contentsOf: utf8)
            bytes.append(0)
            return position
        case .tables(let tables):
            pad(to: 4)
            let position = bytes.count
            appendScalar(UInt64(tables.count), size: 4)
            bytes.append(contentsOf: repeatElement(0, count: 4 * tables.count))
            for (i, table) in tables.enumerated() {
                let element = position + 4 + 4 * i
                patchOffset(at: element, target: write(table))
            }
            return position
        case .structs(let structBytes, let count, let alignment):
            // The elements (after the 4-byte count) must be aligned to the struct's alignment.
            pad(to: 4)
            while (bytes.count + 4) % alignment != 0 { bytes.append(0) }
            let position = bytes.count
            appendScalar(UInt64(count), size: 4)
            bytes.append(contentsOf: structBytes)
            return position
        }
    }

    private static func inlineSize(_ slot: FlatTable.Slot) -> Int {
        switch slot {
        case .scalar(_, let size): size
        case .reference: 4
        }
    }
}
