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

    /// Parses `"lat, long"`; `nil` when malformed or out of range.
    static func parse(_ utf8: UnsafeBufferPointer<UInt8>) -> (lat: Double, long: Double)? {
        let text = String(decoding: utf8, as: UTF8.self)
        let parts = text.split(separator: ",")
        guard parts.count == 2, let lat = Double(String(parts[0]).trimmingSpaces), let long = Double(String(parts[1]).trimmingSpaces),
              lat.isFinite, long.isFinite, abs(lat) <= 90, abs(long) <= 180 else { return nil }
        return (lat, long)
    }

    /// The 30 quadtile characters (ASCII) of a position.
    static func encode(lat: Double, long: Double) -> [UInt8] {
        let a = UInt32(min((abs(lat) * scale).rounded(), 90 * scale))
        let b = UInt32(min((abs(long) * scale).rounded(), 180 * scale))
        var out: [UInt8] = [lat < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"), long < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")]
        out.reserveCapacity(length)
        for bit in stride(from: bits - 1, through: 0, by: -1) {
            let x = (a >> UInt32(bit)) & 1, y = (b >> UInt32(bit)) & 1
            out.append(UInt8(ascii: "A") + UInt8(x + 2 * y))
        }
        return out
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
