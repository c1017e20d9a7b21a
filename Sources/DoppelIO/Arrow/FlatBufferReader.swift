/// A bounds-checked view of a FlatBuffers buffer (format: see ``FlatBufferBuilder``).
///
/// Every load checks that it lies inside the buffer and uses unaligned loads, so a corrupted
/// buffer makes the reader throw, never read outside the buffer or trap.
struct FlatBufferView {
    let bytes: UnsafeRawBufferPointer

    func load<T: FixedWidthInteger>(_ type: T.Type, at position: Int) throws(ArrowFormatError) -> T {
        let size = MemoryLayout<T>.size
        guard position >= 0, position <= bytes.count - size else {
            throw ArrowFormatError("metadata offset \(position) lies outside the \(bytes.count)-byte flatbuffer")
        }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    /// The root table.
    func root() throws(ArrowFormatError) -> FlatTableView {
        try table(at: Int(load(UInt32.self, at: 0)))
    }

    /// The table at `position`, with its vtable checked.
    func table(at position: Int) throws(ArrowFormatError) -> FlatTableView {
        let soffset = Int(try load(Int32.self, at: position))
        let vtable = position - soffset
        let vtableSize = Int(try load(UInt16.self, at: vtable))
        let tableSize = Int(try load(UInt16.self, at: vtable + 2))
        guard vtableSize >= 4, vtableSize % 2 == 0, vtable + vtableSize <= bytes.count, tableSize >= 4, position + tableSize <= bytes.count else {
            throw ArrowFormatError("invalid flatbuffer table at metadata offset \(position)")
        }
        return FlatTableView(buffer: self, position: position, vtable: vtable, fieldCount: (vtableSize - 4) / 2, tableSize: tableSize)
    }

    /// Follows the uoffset stored at `position`.
    func follow(at position: Int) throws(ArrowFormatError) -> Int {
        let offset = Int(try load(UInt32.self, at: position))
        let target = position + offset
        guard target < bytes.count else { throw ArrowFormatError("metadata reference at offset \(position) points outside the flatbuffer") }
        return target
    }
}

/// One table inside a ``FlatBufferView``: typed access to its fields by id, with defaults.
struct FlatTableView {
    let buffer: FlatBufferView
    let position: Int
    let vtable: Int
    let fieldCount: Int
    let tableSize: Int

    /// Position of field `id`, or `nil` when absent.
    private func fieldPosition(_ id: Int, size: Int) throws(ArrowFormatError) -> Int? {
        guard id < fieldCount else { return nil }
        let offset = Int(try buffer.load(UInt16.self, at: vtable + 4 + 2 * id))
        guard offset != 0 else { return nil }
        guard offset + size <= tableSize else { throw ArrowFormatError("flatbuffer field \(id) lies outside its table") }
        return position + offset
    }

    func has(_ id: Int) throws(ArrowFormatError) -> Bool { try fieldPosition(id, size: 1) != nil }

    func uint8(_ id: Int, default value: UInt8 = 0) throws(ArrowFormatError) -> UInt8 {
        guard let p = try fieldPosition(id, size: 1) else { return value }
        return try buffer.load(UInt8.self, at: p)
    }

    func bool(_ id: Int, default value: Bool = false) throws(ArrowFormatError) -> Bool {
        try uint8(id, default: value ? 1 : 0) != 0
    }

    func int16(_ id: Int, default value: Int16 = 0) throws(ArrowFormatError) -> Int16 {
        guard let p = try fieldPosition(id, size: 2) else { return value }
        return try buffer.load(Int16.self, at: p)
    }

    func int32(_ id: Int, default value: Int32 = 0) throws(ArrowFormatError) -> Int32 {
        guard let p = try fieldPosition(id, size: 4) else { return value }
        return try buffer.load(Int32.self, at: p)
    }

    func int64(_ id: Int, default value: Int64 = 0) throws(ArrowFormatError) -> Int64 {
        guard let p = try fieldPosition(id, size: 8) else { return value }
        return try buffer.load(Int64.self, at: p)
    }

    func table(_ id: Int) throws(ArrowFormatError) -> FlatTableView? {
        guard let p = try fieldPosition(id, size: 4) else { return nil }
        return try buffer.table(at: buffer.follow(at: p))
    }

    func string(_ id: Int) throws(ArrowFormatError) -> String? {
        guard let vector = try vector(id, elementSize: 1) else { return nil }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer.bytes[vector.start..<(vector.start + vector.count)])
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The vector at field `id`, checked to hold `count × elementSize` bytes.
    func vector(_ id: Int, elementSize: Int) throws(ArrowFormatError) -> FlatVectorView? {
        guard let p = try fieldPosition(id, size: 4) else { return nil }
        let position = try buffer.follow(at: p)
        let count = Int(try buffer.load(UInt32.self, at: position))
        let start = position + 4
        guard count <= (buffer.bytes.count - start) / elementSize else {
            throw ArrowFormatError("flatbuffer vector of \(count) elements runs past the end of the metadata")
        }
        return FlatVectorView(buffer: buffer, start: start, count: count, elementSize: elementSize)
    }
}

/// A vector inside a ``FlatBufferView`` whose elements are known to lie inside the buffer.
struct FlatVectorView {
    let buffer: FlatBufferView
    let start: Int
    let count: Int
    let elementSize: Int

    /// Element `i` of a vector of tables.
    func table(_ i: Int) throws(ArrowFormatError) -> FlatTableView {
        try buffer.table(at: buffer.follow(at: start + 4 * i))
    }

    /// A scalar field at `byteOffset` inside struct element `i`.
    func load<T: FixedWidthInteger>(_ type: T.Type, element i: Int, byteOffset: Int) throws(ArrowFormatError) -> T {
        try buffer.load(T.self, at: start + i * elementSize + byteOffset)
    }
}
