/// Exact split of numbers into decimal digits at positions 10^18 … 10^-8.
///
/// The digits are those of the *shortest round-trip* decimal representation of the value (the
/// one `Double.description` prints), truncated below 10^-8 — as the reference engine's
/// `np.format_float_positional(unique=True)` does — but without creating a string per value:
///
/// Values below 2^26 (where ulp < 10^-8): compute `Q = ⌊x·10^8⌋` exactly (an FMA recovers the
/// product's rounding error). If `Q` or `Q+1` (times 10^-8) rounds back to `x` — tested exactly,
/// since `Double(Q) / 10^8` is a correctly rounded division of exact operands — it is the
/// shortest representation (the shortest decimal is the multiple of the largest power of ten
/// inside the rounding interval: Steele & White; Ryū), whose digits are Q's. Otherwise no
/// multiple of 10^-8 lies in the rounding interval, so the shortest decimal and `x` share the
/// same truncation `Q`.
///
/// Larger values: let `k ≤ 8` be the largest number of fraction digits with
/// `ulp(x) < 10^-k`. Then at most one multiple of 10^-k rounds to `x`; compute the candidate
/// `N = round(x·10^k)` and accept it when `N < 2^53` and `Double(N) / 10^k == x` (both operands
/// exact, IEEE division correctly rounded, so the test is exact). The shortest representation is
/// the multiple of the largest power of ten that rounds to `x` (Steele & White; Ryū), and since
/// N·10^-k is the unique such multiple of 10^-k, the shortest decimal equals N·10^-k: its digits
/// are N's. Otherwise (values with digits below 10^-k, or beyond 2^53) the digits are read from
/// `description`, which is Swift's shortest round-trip formatter.
///
/// Magnitudes of 10^19 and more, infinities and NaN are *out of range*: the split reports it
/// instead of silently dropping high digits. `Int64` values are split exactly without passing
/// through `Double`.
public enum DigitSplit {
    public static let maxDecimal = 18
    public static let minDecimal = -8
    /// Number of digit positions (E18 … E-8).
    public static let positions = maxDecimal - minDecimal + 1
    /// Exclusive magnitude limit of the digit range.
    public static let limit = 1e19

    /// Index of position `p` (10^p) in a digit array (index 0 = E18).
    @inlinable public static func index(ofPosition p: Int) -> Int { maxDecimal - p }

    @usableFromInline static let powersOfTen: [Double] = (0...22).map { p in
        var v = 1.0
        for _ in 0..<p { v *= 10 }
        return v
    }

    /// Fraction digits `k` usable by the fast path per biased binary exponent (-1 = none).
    @usableFromInline static let fractionDigitsForExponent: [Int8] = (0..<2048).map { biased in
        let e = max(biased, 1) - 1023
        let t = Double(52 - e) * 0.301_029_995_663_981_2  // log10(1 / ulp)
        guard t > 0 else { return -1 }
        var k = Int(t.rounded(.up)) - 1
        // Guard against rounding at exact powers: require 10^-k > ulp strictly.
        if Double(k) >= t { k -= 1 }
        return Int8(min(8, k))
    }

    /// Writes the 27 digits of `|x|` into `out` (index 0 = E18) and returns `true`, or returns
    /// `false` when `x` is not finite or `|x| ≥ 10^19` (`out` then holds zeros).
    @inlinable public static func split(_ x: Double, into out: UnsafeMutablePointer<UInt8>) -> Bool {
        zero(out)
        let a = x.magnitude
        if a < 67_108_864 {  // 2^26: ulp(a) < 10^-8
            if a < 1e-8 { return true }
            // Q = floor(a · 10^8) exactly: the product's rounding error is recovered with an FMA.
            let p = a * 1e8
            let err = (-p).addingProduct(a, 1e8)
            var q = p.rounded(.down)
            if q == p && err < 0 { q -= 1 }
            // A multiple of 10^-8 that rounds to `a` is the shortest representation (Q or Q+1);
            // otherwise the shortest one has digits below 10^-8 and truncates to Q.
            let n = (q + 1) / 1e8 == a ? q + 1 : q
            writeDigits(UInt64(n), lowestPosition: minDecimal, into: out)
            return true
        }
        guard a < limit else { return false }
        let k = Int(fractionDigitsForExponent[Int(a.exponentBitPattern)])
        if k >= 0 {
            let scale = powersOfTen[k]
            let n = (a * scale).rounded(.toNearestOrEven)
            if n < 9_007_199_254_740_992, n / scale == a {
                writeDigits(UInt64(n), lowestPosition: -k, into: out)
                return true
            }
        }
        return splitFromDescription(a, into: out)
    }

    /// Zeroes the 27 digit slots (three 8-byte stores and three bytes).
    @inlinable @inline(__always) static func zero(_ out: UnsafeMutablePointer<UInt8>) {
        let raw = UnsafeMutableRawPointer(out)
        raw.storeBytes(of: 0 as UInt64, toByteOffset: 0, as: UInt64.self)
        raw.storeBytes(of: 0 as UInt64, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: 0 as UInt64, toByteOffset: 16, as: UInt64.self)
        raw.storeBytes(of: 0 as UInt16, toByteOffset: 24, as: UInt16.self)
        out[26] = 0
    }

    /// Writes the decimal digits of `m`, its last digit at position `lowestPosition`.
    @inlinable @inline(__always) static func writeDigits(_ value: UInt64, lowestPosition: Int, into out: UnsafeMutablePointer<UInt8>) {
        var m = value
        var i = index(ofPosition: lowestPosition)
        while m >= 100 {
            let q = m / 100
            let r = m &- q &* 100
            out[i] = UInt8(truncatingIfNeeded: r % 10)
            out[i - 1] = UInt8(truncatingIfNeeded: r / 10)
            m = q
            i -= 2
        }
        if m >= 10 {
            out[i] = UInt8(truncatingIfNeeded: m % 10)
            out[i - 1] = UInt8(truncatingIfNeeded: m / 10)
        } else if m > 0 {
            out[i] = UInt8(truncatingIfNeeded: m)
        }
    }

    /// Slow path: digits from the shortest round-trip text (`1.2345e-05`, `123.45`, `1e+16`).
    @usableFromInline static func splitFromDescription(_ a: Double, into out: UnsafeMutablePointer<UInt8>) -> Bool {
        out.initialize(repeating: 0, count: positions)
        guard a.isFinite, a < limit else { return false }
        var mantissa: [UInt8] = []
        var pointIndex: Int? = nil
        var exponent = 0
        var text = a.description
        text.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b >= 48 && b <= 57 {
                    mantissa.append(b - 48)
                } else if b == UInt8(ascii: ".") {
                    pointIndex = mantissa.count
                } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                    var sign = 1, value = 0
                    i += 1
                    if i < bytes.count && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) { sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1; i += 1 }
                    while i < bytes.count { value = value * 10 + Int(bytes[i] - 48); i += 1 }
                    exponent = sign * value
                    break
                }
                i += 1
            }
        }
        // Position of mantissa digit j: (integer digits - 1 - j) + exponent.
        let integerDigits = pointIndex ?? mantissa.count
        for (j, d) in mantissa.enumerated() {
            let p = integerDigits - 1 - j + exponent
            if p > maxDecimal { if d != 0 { out.initialize(repeating: 0, count: positions); return false } else { continue } }
            if p < minDecimal { break }
            out[index(ofPosition: p)] = d
        }
        return true
    }

    /// Writes the digits of `|x|` (exact; every Int64 is below 10^19).
    @inlinable public static func split(_ x: Int64, into out: UnsafeMutablePointer<UInt8>) {
        zero(out)
        writeDigits(x.magnitude, lowestPosition: 0, into: out)
    }

    /// Convenience: the 27 digits of `x`, or `nil` when out of range.
    public static func digits(_ x: Double) -> [UInt8]? {
        var d = [UInt8](repeating: 0, count: positions)
        let ok = d.withUnsafeMutableBufferPointer { split(x, into: $0.baseAddress!) }
        return ok ? d : nil
    }

    public static func digits(_ x: Int64) -> [UInt8] {
        var d = [UInt8](repeating: 0, count: positions)
        d.withUnsafeMutableBufferPointer { split(x, into: $0.baseAddress!) }
        return d
    }
}
