/// Geographic positions as quadtiles (reference engine, `lat_long.py`): latitude and longitude
/// in units of 10^-5 degrees (rounded, not truncated; parsed as Double, not float32), signs
/// apart, magnitudes as 28-bit numbers whose bits are interleaved into 28 base-4 symbols
/// A = (0,0), B = (1,0), C = (0,1), D = (1,1) for (latitude bit, longitude bit), most
/// significant first, after the two sign characters: a 30-character string such as
/// `+-AABDC…`. Every prefix is a coarser cell, which is what the `QUAD` sub-columns model.
enum Quadtile {
    static let length = 30
    static let bits = 28
    static let scale = 100_000.0
    /// Prefix lengths of the `QUAD12 … QUAD26` sub-columns (2 sign characters + 12 … 26 symbols).
    static let quadLevels = Array(stride(from: 12, through: 26, by: 2))

    /// A position as signs and 28 interleaved symbol values (2 bits each, most significant
    /// symbol first, value = latitude bit + 2 · longitude bit).
    struct Tile: Equatable {
        var latNegative: Bool
        var longNegative: Bool
        var symbols: UInt64

        /// Character `i` of the 30-character quadtile (ASCII).
        @inline(__always) func character(_ i: Int) -> UInt8 {
            switch i {
            case 0: latNegative ? UInt8(ascii: "-") : UInt8(ascii: "+")
            case 1: longNegative ? UInt8(ascii: "-") : UInt8(ascii: "+")
            default: UInt8(ascii: "A") + UInt8(truncatingIfNeeded: symbols >> UInt64(2 * (length - 1 - i)) & 3)
            }
        }

        /// The cell of the first `n` symbols: signs in the top bits, then the symbols.
        @inline(__always) func cell(symbols n: Int) -> UInt64 {
            let signs: UInt64 = (latNegative ? 2 : 0) | (longNegative ? 1 : 0)
            return signs << UInt64(2 * n) | symbols >> UInt64(2 * (bits - n))
        }
    }

    /// Parses `"lat, long"` from UTF-8; `nil` when malformed or out of range.
    static func parse(_ utf8: UnsafeBufferPointer<UInt8>) -> (lat: Double, long: Double)? {
        guard let comma = utf8.firstIndex(of: UInt8(ascii: ",")) else { return nil }
        func number(_ range: Range<Int>) -> Double? {
            var lo = range.lowerBound, hi = range.upperBound
            while lo < hi && (utf8[lo] == 32 || utf8[lo] == 9) { lo += 1 }
            while hi > lo && (utf8[hi - 1] == 32 || utf8[hi - 1] == 9) { hi -= 1 }
            guard hi > lo, hi - lo <= 32 else { return nil }
            return Double(String(decoding: UnsafeBufferPointer(rebasing: utf8[lo..<hi]), as: UTF8.self))
        }
        guard let lat = number(0..<comma), let long = number((comma + 1)..<utf8.count),
              lat.isFinite, long.isFinite, abs(lat) <= 90, abs(long) <= 180 else { return nil }
        return (lat, long)
    }

    /// The tile of a position.
    static func tile(lat: Double, long: Double) -> Tile {
        let a = UInt64(min((abs(lat) * scale).rounded(), 90 * scale))
        let b = UInt64(min((abs(long) * scale).rounded(), 180 * scale))
        var symbols: UInt64 = 0
        for bit in stride(from: bits - 1, through: 0, by: -1) {
            symbols = symbols << 2 | ((a >> UInt64(bit)) & 1) | ((b >> UInt64(bit)) & 1) << 1
        }
        return Tile(latNegative: lat < 0, longNegative: long < 0, symbols: symbols)
    }

    /// The 30 quadtile characters (ASCII) of a position.
    static func encode(lat: Double, long: Double) -> [UInt8] {
        let t = tile(lat: lat, long: long)
        return (0..<length).map { t.character($0) }
    }

    /// Text of a cell of `n` symbols (`+-ABDC…`).
    static func cellText(_ cell: UInt64, symbols n: Int) -> String {
        let signs = cell >> UInt64(2 * n)
        var out: [UInt8] = [signs & 2 != 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"), signs & 1 != 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")]
        for i in 0..<n { out.append(UInt8(ascii: "A") + UInt8(truncatingIfNeeded: cell >> UInt64(2 * (n - 1 - i)) & 3)) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The cell of a text cell of `n` symbols, or `nil` when malformed.
    static func cell(_ text: String, symbols n: Int) -> UInt64? {
        let bytes = Array(text.utf8)
        guard bytes.count == n + 2 else { return nil }
        var cell: UInt64 = (bytes[0] == UInt8(ascii: "-") ? 2 : 0) | (bytes[1] == UInt8(ascii: "-") ? 1 : 0)
        for b in bytes[2...] {
            guard b >= UInt8(ascii: "A") && b <= UInt8(ascii: "D") else { return nil }
            cell = cell << 2 | UInt64(b - UInt8(ascii: "A"))
        }
        return cell
    }

    /// The position of 30 quadtile characters (unknown characters read as `+` / `A`).
    static func decode(_ chars: [UInt8]) -> (lat: Double, long: Double) {
        var a: UInt32 = 0, b: UInt32 = 0
        for i in 2..<length {
            let s = chars[i] >= UInt8(ascii: "A") && chars[i] <= UInt8(ascii: "D") ? UInt32(chars[i] - UInt8(ascii: "A")) : 0
            a = a << 1 | (s & 1)
            b = b << 1 | (s >> 1)
        }
        let lat = min(Double(a), 90 * scale) / scale, long = min(Double(b), 180 * scale) / scale
        return (chars[0] == UInt8(ascii: "-") ? -lat : lat, chars[1] == UInt8(ascii: "-") ? -long : long)
    }

    /// `"{lat:.5f}, {long:.5f}"` without Foundation.
    static func format(lat: Double, long: Double) -> String {
        func fixed(_ v: Double) -> String {
            let units = Int64((abs(v) * scale).rounded())
            let fraction = String(units % 100_000)
            return (v < 0 && units != 0 ? "-" : "") + String(units / 100_000) + "." + String(repeating: "0", count: 5 - fraction.count) + fraction
        }
        return fixed(lat) + ", " + fixed(long)
    }
}
