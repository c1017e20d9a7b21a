/// Vectorised `exp` for softmax rows, in portable `SIMD8<Float>` code (SSE2 on the default
/// x86-64 target, so no libm call per element and no FMA: results are bit-identical on every
/// x86-64 CPU).
///
/// Algorithm: Cephes `expf` (S. L. Moshier): `n = round(x·log₂e)`, `r = x − n·ln2` in two parts
/// (Cody–Waite), `eʳ ≈ 1 + r + r²·P(r)` with a degree-5 minimax polynomial, scaled by `2ⁿ` built
/// in the exponent bits. Relative error about 2 ulp on `[−87, 88]`; inputs are clamped to that
/// range, so very negative arguments give ~1e-38 instead of 0 (harmless in a softmax sum).
enum VectorMath {
    static let lowerLimit: Float = -87.3
    static let upperLimit: Float = 88.3

    @inline(__always)
    static func exp(_ v: SIMD8<Float>) -> SIMD8<Float> {
        let x = v.clamped(lowerBound: SIMD8(repeating: lowerLimit), upperBound: SIMD8(repeating: upperLimit))
        // Round to nearest with the 1.5·2²³ trick (exact for |t| < 2²²; SSE2 has no roundps).
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let n = (x * 1.442_695_04 + magic) - magic
        let r = x - n * 0.693_359_375 - n * -2.121_944_4e-4
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let er = p * (r * r) + r + 1
        let exponent = (SIMD8<Int32>(n, rounding: .towardZero) &+ 127) &<< 23
        return er * unsafeBitCast(exponent, to: SIMD8<Float>.self)
    }

    /// The same computation for one value (used for the tail of a row, so every element of a
    /// row goes through identical arithmetic).
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
        while j < count {
            let e = exp(z[j] - shift)
            p[j] = e
            sum += e
            j += 1
        }
        return sum
    }

    /// `max_j z[j]` (−∞ for an empty row).
    static func maximum(_ z: UnsafePointer<Float>, count: Int) -> Float {
        var j = 0
        var m = -Float.infinity
        if count >= 8 {
            var mv = UnsafeRawPointer(z).loadUnaligned(as: SIMD8<Float>.self)
            j = 8
            while j + 8 <= count {
                mv = pointwiseMax(mv, UnsafeRawPointer(z + j).loadUnaligned(as: SIMD8<Float>.self))
                j += 8
            }
            m = mv.max()
        }
        while j < count { m = max(m, z[j]); j += 1 }
        return m
    }
}
