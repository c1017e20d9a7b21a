/// The Thrift compact protocol, the encoding of Parquet's footer and page headers.
///
/// Spec: Apache Thrift, "Thrift Compact Protocol" (thrift/doc/specs/thrift-compact-protocol.md).
/// Field headers carry a 4-bit id delta and a 4-bit type; integers are zigzag varints; lists
/// carry a 4-bit size (15 = varint follows) and an element type.
enum ThriftType: UInt8 {
    case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
    case binary = 8, list = 9, set = 10, map = 11, structure = 12
}

/// A malformed Thrift message; the caller adds the file and location.
struct ThriftError: Error {
    let message: String
}

/// Reads compact-protocol values from a byte range, checking every bound.
struct ThriftReader {
    let base: UnsafeRawPointer
    let end: Int
    private(set) var position: Int
    private var depth = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!
        end = bytes.count
        position = 0
    }

    mutating func readByte() throws -> UInt8 {
        guard position < end else { throw ThriftError(message: "unexpected end of metadata") }
        let b = base.load(fromByteOffset: position, as: UInt8.self)
        position += 1
        return b
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw ThriftError(message: "varint too long") }
        }
    }

    mutating func readI64() throws -> Int64 {
        let v = try readVarint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func readI32() throws -> Int32 {
        let v = try readI64()
        guard let narrowed = Int32(exactly: v) else { throw ThriftError(message: "32-bit integer out of range: \(v)") }
        return narrowed
    }

    mutating func readDouble() throws -> Double {
        guard end - position >= 8 else { throw ThriftError(message: "unexpected end of metadata") }
        let bits = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    mutating func readBinary() throws -> UnsafeRawBufferPointer {
        let length = try readVarint()
        guard length <= UInt64(end - position) else { throw ThriftError(message: "string length \(length) runs past the end of the metadata") }
        let slice = UnsafeRawBufferPointer(start: base + position, count: Int(length))
        position += Int(length)
        return slice
    }

    mutating func readBytes() throws -> [UInt8] { Array(try readBinary()) }

    mutating func readString() throws -> String {
        String(decoding: try readBinary(), as: UTF8.self)
    }

    /// Reads a list header: element type and count (bounded by the bytes left).
    mutating func readListHeader() throws -> (ThriftType, Int) {
        let header = try readByte()
        var size = UInt64(header >> 4)
        if size == 15 { size = try readVarint() }
        guard let type = ThriftType(rawValue: header & 0x0F) else { throw ThriftError(message: "unknown list element type \(header & 0x0F)") }
        guard size <= UInt64(end - position) else { throw ThriftError(message: "list of \(size) elements is longer than the metadata") }
        return (type, Int(size))
    }

    /// Iterates the fields of a struct, calling `body(fieldId, type)`; `body` must consume the
    /// value (or call ``skip(_:)``). Booleans are passed as `.boolTrue`/`.boolFalse`.
    mutating func readStruct(_ body: (inout ThriftReader, Int16, ThriftType) throws -> Void) throws {
        depth += 1
        guard depth < 64 else { throw ThriftError(message: "metadata nested too deeply") }
        var lastId: Int16 = 0
        while true {
            let header = try readByte()
            guard let type = ThriftType(rawValue: header & 0x0F) else { throw ThriftError(message: "unknown field type \(header & 0x0F)") }
            if type == .stop { break }
            let delta = header >> 4
            let id: Int16
            if delta == 0 {
                let raw = try readI64()
                guard let narrowed = Int16(exactly: raw) else { throw ThriftError(message: "field id out of range") }
                id = narrowed
            } else {
                id = lastId &+ Int16(delta)
            }
            lastId = id
            try body(&self, id, type)
        }
        depth -= 1
    }

    /// Reads a list of structs, calling `body` once per element.
    mutating func readStructList(_ body: (inout ThriftReader) throws -> Void) throws {
        let (type, count) = try readListHeader()
        guard type == .structure || count == 0 else { throw ThriftError(message: "expected a list of structs") }
        for _ in 0..<count { try body(&self) }
    }

    mutating func readI32List() throws -> [Int32] {
        let (type, count) = try readListHeader()
        var out: [Int32] = []
        for _ in 0..<count {
            if type == .i32 { out.append(try readI32()) } else { try skip(type) }
        }
        return out
    }

    mutating func readStringList() throws -> [String] {
        let (type, count) = try readListHeader()
        var out: [String] = []
        for _ in 0..<count {
            if type == .binary { out.append(try readString()) } else { try skip(type) }
        }
        return out
    }

    /// Skips one value of `type` (unknown fields).
    mutating func skip(_ type: ThriftType) throws {
        switch type {
        case .stop, .boolTrue, .boolFalse: return
        case .byte: _ = try readByte()
        case .i16, .i32, .i64: _ = try readVarint()
        case .double: _ = try readDouble()
        case .binary: _ = try readBinary()
        case .list, .set:
            let (elementType, count) = try readListHeader()
            for _ in 0..<count {
                if elementType == .boolTrue || elementType == .boolFalse { _ = try readByte() } else { try skip(elementType) }
            }
        case .map:
            let count = try readVarint()
            guard count <= UInt64(end - position) else { throw ThriftError(message: "map longer than the metadata") }
            if count == 0 { return }
            let types = try readByte()
            guard let k = ThriftType(rawValue: types >> 4), let v = ThriftType(rawValue: types & 0x0F) else { throw ThriftError(message: "unknown map types") }
            for _ in 0..<count {
                try skip(k)
                try skip(v)
            }
        case .structure:
            try readStruct { (r: inout ThriftReader, _: Int16, t: ThriftType) throws in try r.skip(t) }
        }
    }
}

/// Writes compact-protocol values into a byte array.
struct ThriftWriter {
    private(set) var bytes: [UInt8] = []
    private var lastIds: [Int16] = [0]

    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func writeZigzag(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    private mutating func fieldHeader(_ id: Int16, _ type: ThriftType) {
        let last = lastIds[lastIds.count - 1]
        let delta = id - last
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeZigzag(Int64(id))
        }
        lastIds[lastIds.count - 1] = id
    }

    mutating func field(_ id: Int16, i32 value: Int32) {
        fieldHeader(id, .i32)
        writeZigzag(Int64(value))
    }

    mutating func field(_ id: Int16, i64 value: Int64) {
        fieldHeader(id, .i64)
        writeZigzag(value)
    }

    mutating func field(_ id: Int16, i8 value: Int8) {
        fieldHeader(id, .byte)
        bytes.append(UInt8(bitPattern: value))
    }

    mutating func field(_ id: Int16, bool value: Bool) {
        fieldHeader(id, value ? .boolTrue : .boolFalse)
    }

    mutating func field(_ id: Int16, binary value: [UInt8]) {
        fieldHeader(id, .binary)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func field(_ id: Int16, string value: String) {
        field(id, binary: Array(value.utf8))
    }

    /// A nested struct field; `body` writes its fields.
    mutating func field(_ id: Int16, structure body: (inout ThriftWriter) -> Void) {
        fieldHeader(id, .structure)
        beginStruct()
        body(&self)
        endStruct()
    }

    mutating func listHeader(_ id: Int16, _ elementType: ThriftType, count: Int) {
        fieldHeader(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarint(UInt64(count))
        }
    }

    mutating func field(_ id: Int16, i32List values: [Int32]) {
        listHeader(id, .i32, count: values.count)
        for v in values { writeZigzag(Int64(v)) }
    }

    mutating func field(_ id: Int16, stringList values: [String]) {
        listHeader(id, .binary, count: values.count)
        for v in values {
            let utf8 = Array(v.utf8)
            writeVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A list of structs; `body` writes element `i`'s fields.
    mutating func field(_ id: Int16, structList count: Int, _ body: (inout ThriftWriter, Int) -> Void) {
        listHeader(id, .structure, count: count)
        for i in 0..<count {
            beginStruct()
            body(&self, i)
            endStruct()
        }
    }

    mutating func beginStruct() { lastIds.append(0) }

    mutating func endStruct() {
        bytes.append(ThriftType.stop.rawValue)
        if lastIds.count > 1 { lastIds.removeLast() }
    }
}
