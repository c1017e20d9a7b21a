/// Vectorised element-wise kernels: `exp` for softmax rows and the products and sums of the
/// layers' masks and gradients, in portable `SIMD8<Float>` code (SSE2 on the default
/// x86-64 target, so no libm call per element and no FMA: results are bit-identical on every
/// x86-64 CPU).
///
/// Algorithm: Cephes `expf` (S. L. Moshier): `n = round(x·log₂e)`, `r = x − n·ln2` in two parts
/// (Cody–Waite), `eʳ ≈ 1 + r + r²·P(r)` with a degree-5 minimax polynomial, scaled by `2ⁿ` built
/// in the exponent bits. Relative error about 2 ulp on `[−87, 88]`; inputs are clamped to that
/// range, so very negative arguments give ~1e-38 instead of 0 (harmless in a softmax sum).
public enum VectorMath {
    static let lowerLimit: Float = -87.3
    static let upperLimit: Float = 88.3

    @inline(__always)
    static func exp(_ v: SIMD8<Float>) -> SIMD8<Float> {
        // Clamp with compares and selects (the generic `clamped`/`pointwiseMax` and the
        // Float→Int32 vector conversion are not specialised by the standard library: 10× slower).
        var x = v.replacing(with: lowerLimit, where: .!(v .>= lowerLimit))  // also maps NaN to the lower limit
        x = x.replacing(with: upperLimit, where: x .> upperLimit)
        // n = round(x·log₂e) with the 1.5·2²³ trick: the sum's low mantissa bits hold n.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let t = x * 1.442_695_04 + magic
        let n = t - magic
        let r = x - n * 0.693_359_375 - n * -2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let er = p * (r * r) + r + 1
        // 2ⁿ: exponent field n + 127, where bits(t) = 0x4B40_0000 + n.
        let exponent = (unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return er * unsafeBitCast(exponent, to: SIMD8<Float>.self)
    }

    /// The same computation for one value (the tails of ``sigmoid`` and ``tanh``, so every
    /// element of a row goes through identical arithmetic).
    @inline(__always)
    static func exp(_ value: Float) -> Float { exp(SIMD8(repeating: value))[0] }

    /// `p[j] = exp(z[j] − shift)` for `j < count`; returns `Σ p[j]`.
    static func shiftedExp(_ z: UnsafePointer<Float>, count: Int, shift: Float, into p: UnsafeMutablePointer<Float>) -> Float {
        var sums = SIMD8<Float>()
        var j = 0
        let s = SIMD8(repeating: shift)
        while j + 8 <= count {
            let e = exp(UnsafeRawPointer(z + j).loadUnaligned(as: SIMD8<Float>.self) - s)
            UnsafeMutableRawPointer(p + j).storeBytes(of: e, as: SIMD8<Float>.self)
            sums += e
            j += 8
        }
        var sum = sums.sum()
        if j < count {
            // The tail (< 8 values) as one vector, lane by lane the same arithmetic as one value
            // at a time; added in order, as before.
            var tail = SIMD8<Float>(repeating: 0)
            for k in 0..<(count - j) { tail[k] = z[j + k] - shift }
            let e = exp(tail)
            for k in 0..<(count - j) {
                p[j + k] = e[k]
                sum += e[k]
            }
        }
        return sum
    }

    /// `max_j z[j]` (−∞ for an empty row; NaNs are skipped).
    static func maximum(_ z: UnsafePointer<Float>, count: Int) -> Float {
        var j = 0
        var m = -Float.infinity
        if count >= 8 {
            var mv = SIMD8<Float>(repeating: -.infinity)
            while j + 8 <= count {
                let v = UnsafeRawPointer(z + j).loadUnaligned(as: SIMD8<Float>.self)
                mv = mv.replacing(with: v, where: v .> mv)
                j += 8
            }
            for k in 0..<8 where mv[k] > m { m = mv[k] }
        }
        while j < count { if z[j] > m { m = z[j] }; j += 1 }
        return m
    }

    /// `x[i] ← 1 / (1 + e^(−x[i]))`, in place (the logistic function of LSTM gates).
    public static func sigmoid(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let raw = UnsafeMutableRawPointer(x + i)
            raw.storeBytes(of: 1 / (1 + exp(-raw.loadUnaligned(as: SIMD8<Float>.self))), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { x[i] = 1 / (1 + exp(-x[i])); i += 1 }
    }

    /// `x[i] ← tanh(x[i]) = 2·σ(2x) − 1`, in place (absolute error about 1e-7).
    public static func tanh(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let raw = UnsafeMutableRawPointer(x + i)
            raw.storeBytes(of: 2 / (1 + exp(-2 * raw.loadUnaligned(as: SIMD8<Float>.self))) - 1, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { x[i] = 2 / (1 + exp(-2 * x[i])) - 1; i += 1 }
    }

    /// `a[i] *= b[i]`.
    public static func multiply(_ a: UnsafeMutablePointer<Float>, by b: UnsafePointer<Float>, count: Int) {
        product(UnsafePointer(a), b, into: a, count: count)
    }

    /// `out[i] = a[i]·b[i]` (`out` may be `a`).
    public static func product(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self) * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: v, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { out[i] = a[i] * b[i]; i += 1 }
    }

    /// `a[i] += b[i]`.
    public static func add(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let target = UnsafeMutableRawPointer(a + i)
            let v = target.loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            target.storeBytes(of: v, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { a[i] += b[i]; i += 1 }
    }

    /// `a[i] += scale · b[i]`.
    public static func add(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, scaledBy scale: Float, count: Int) {
        var i = 0
        while i + 8 <= count {
            let target = UnsafeMutableRawPointer(a + i)
            let v = target.loadUnaligned(as: SIMD8<Float>.self) + scale * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            target.storeBytes(of: v, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { a[i] += scale * b[i]; i += 1 }
    }

    /// `Σ x[i]²`: eight lanes of Float squares, each block of eight summed into a Float64 total
    /// (a gradient's squared norm, e.g. for DP-SGD's clipping).
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0, i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            total += Double((v * v).sum())
            i += 8
        }
        while i < count { total += Double(x[i]) * Double(x[i]); i += 1 }
        return total
    }
}
