/// A fast, seeded, splittable pseudo-random generator: xoshiro256** (Blackman & Vigna,
/// "Scrambled linear pseudorandom number generators", 2018), seeded through SplitMix64.
///
/// Determinism is a product promise: every random draw in Doppel comes from a generator derived
/// from (user seed, step, partition, column, batch, …) with ``stream(seed:_:)``, so results are
/// identical whatever the backend, worker count or scheduling order. The helpers below
/// (``uniform(below:)``, ``shuffle(_:)``, ``nextDouble()``) are our own so that their output never
/// changes with the Swift standard library's implementation.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    // Visible to the inlined `next()` of other modules (the dropout masks draw billions of words).
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose four state words are expanded from `seed` with SplitMix64.
    public init(seed: UInt64) {
        var sm = seed
        s0 = SeededRandom.splitMix64(&sm)
        s1 = SeededRandom.splitMix64(&sm)
        s2 = SeededRandom.splitMix64(&sm)
        s3 = SeededRandom.splitMix64(&sm)
    }

    /// An independent stream for `seed` and a path of identifiers (e.g. `[step, partition, column]`).
    ///
    /// Each component is folded into the seed with SplitMix64's finaliser, so distinct paths give
    /// statistically independent streams.
    public static func stream(seed: UInt64, _ path: [UInt64]) -> SeededRandom {
        var h = mix(seed ^ 0x6A09_E667_F3BC_C909)
        for (i, component) in path.enumerated() {
            h = mix(h ^ mix(component &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15))
        }
        return SeededRandom(seed: h)
    }

    /// A stable 64-bit identifier of a string (FNV-1a), to name streams by column name.
    public static func identifier(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    @inlinable public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject method, unbiased).
    public mutating func uniform(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A uniform `Double` in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform `Float` in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// A standard normal draw (Box–Muller transform).
    public mutating func nextGaussian() -> Double {
        let u1 = 1 - nextDouble()
        let u2 = nextDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Shuffles `array` in place (Fisher–Yates, drawing with ``uniform(below:)``).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = uniform(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// `0..<n` in random order.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }

    @inlinable @inline(__always) func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// SplitMix64 (Steele, Lea & Flood, 2014): advances `state` and returns a scrambled word.
    public static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix(state)
    }

    /// SplitMix64's finaliser: a bijective 64-bit mixing function.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
