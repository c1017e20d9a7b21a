#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Converts runs of physical values (as stored: little-endian, PLAIN layout) into the values
/// of our column buffers.
enum ParquetValueConversion {
    /// Julian day number of 1970-01-01 (INT96 timestamps store a Julian day).
    static let julianDayOfEpoch: Int64 = 2_440_588

    /// Bytes per PLAIN value for fixed-width physical types, `nil` for BYTE_ARRAY and BOOLEAN.
    static func physicalWidth(_ leaf: ParquetLeaf) -> Int? {
        switch leaf.physicalType {
        case .int32, .float: 4
        case .int64, .double: 8
        case .int96: 12
        case .fixedLenByteArray: Int(leaf.element.typeLength)
        case .boolean, .byteArray: nil
        }
    }

    /// Converts `count` fixed-width physical values at `source` into `destination`; returns the
    /// problem when a value cannot be represented.
    ///
    /// Deliberately not a throwing function: with a bulk copy as its last step, a throwing
    /// version was miscompiled in release builds (Swift 6.3, x86-64: the caller saw a garbage
    /// error after the copy), so errors come back as a value.
    static func convert(_ leaf: ParquetLeaf, _ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutableRawPointer) -> ParquetDecodeError? {
        switch leaf.conversion {
        case .int32(let signed):
            let dst = destination.assumingMemoryBound(to: Int64.self)
            if signed {
                for i in 0..<count { dst[i] = Int64(source.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) }
            } else {
                for i in 0..<count { dst[i] = Int64(source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
            }
        case .int64, .double:
            _ = memcpy(destination, source, 8 * count)
        case .uint64:
            _ = memcpy(destination, source, 8 * count)
            let dst = destination.assumingMemoryBound(to: Int64.self)
            for i in 0..<count where dst[i] < 0 {
                return ParquetDecodeError("unsigned value \(UInt64(bitPattern: dst[i])) does not fit in a signed 64-bit integer")
            }
        case .float:
            let dst = destination.assumingMemoryBound(to: Double.self)
            for i in 0..<count { dst[i] = Double(source.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)) }
        case .date32:
            _ = memcpy(destination, source, 4 * count)
        case .timeMillis32:
            let dst = destination.assumingMemoryBound(to: Int64.self)
            for i in 0..<count { dst[i] = Int64(source.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) * 1000 }
        case .scaledInt64(let multiplier, let divisor):
            let dst = destination.assumingMemoryBound(to: Int64.self)
            if multiplier == 1 && divisor == 1 {
                _ = memcpy(destination, source, 8 * count)
            } else if divisor == 1 {
                for i in 0..<count { dst[i] = source.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self) &* multiplier }
            } else {
                for i in 0..<count { dst[i] = floorDivide(source.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self), divisor) }
            }
        case .int96Timestamp:
            let dst = destination.assumingMemoryBound(to: Int64.self)
            for i in 0..<count {
                let nanos = source.loadUnaligned(fromByteOffset: 12 * i, as: Int64.self)
                let day = Int64(source.loadUnaligned(fromByteOffset: 12 * i + 8, as: Int32.self))
                dst[i] = (day - julianDayOfEpoch) &* 86_400_000_000 &+ floorDivide(nanos, 1000)
            }
        case .decimalInt32(let scale):
            let dst = destination.assumingMemoryBound(to: Double.self)
            for i in 0..<count { dst[i] = scaleDecimal(Double(source.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)), scale) }
        case .decimalInt64(let scale):
            let dst = destination.assumingMemoryBound(to: Double.self)
            for i in 0..<count { dst[i] = scaleDecimal(Double(source.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)), scale) }
        case .decimalBytes(let scale):
            let width = Int(leaf.element.typeLength)
            let dst = destination.assumingMemoryBound(to: Double.self)
            for i in 0..<count { dst[i] = scaleDecimal(bigEndianTwosComplement(source + i * width, width), scale) }
        case .boolean, .string:
            return ParquetDecodeError("internal: no fixed-width conversion for \(leaf.conversion)")
        }
        return nil
    }

    /// Floor division (rounds towards negative infinity, as pyarrow's casts of pre-1970 times).
    @inline(__always) static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    @inline(__always) static func scaleDecimal(_ unscaled: Double, _ scale: Int32) -> Double {
        scale == 0 ? unscaled : unscaled / pow10(Int(scale))
    }

    private static let powersOfTen: [Double] = (0...22).map { p in (0..<p).reduce(1.0) { a, _ in a * 10 } }

    static func pow10(_ p: Int) -> Double {
        if p < powersOfTen.count { return powersOfTen[p] }
        var r = powersOfTen[22]
        for _ in 22..<p { r *= 10 }
        return r
    }

    /// A big-endian two's-complement integer of `width` bytes (DECIMAL in byte arrays) as a
    /// Double (exact up to 2^53, correctly rounded for wider values only approximately).
    static func bigEndianTwosComplement(_ p: UnsafeRawPointer, _ width: Int) -> Double {
        guard width > 0 else { return 0 }
        let negative = p.load(as: UInt8.self) & 0x80 != 0
        if width <= 8 {
            var v: UInt64 = negative ? UInt64.max : 0
            for i in 0..<width { v = (v << 8) | UInt64(p.load(fromByteOffset: i, as: UInt8.self)) }
            return Double(Int64(bitPattern: v))
        }
        var result = 0.0
        for i in 0..<width {
            var byte = p.load(fromByteOffset: i, as: UInt8.self)
            if negative { byte = ~byte }
            result = result * 256 + Double(byte)
        }
        return negative ? -(result + 1) : result
    }
}
