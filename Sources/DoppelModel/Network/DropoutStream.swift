import DoppelParallel

/// Inverted-dropout multipliers (0 with probability `p`, else `1/(1−p)`) drawn 16 bits at a time
/// from a seeded stream: four draws per 64-bit word keeps mask generation cheap next to the GEMMs.
/// Without a stream (evaluation) every multiplier is 1.
struct DropoutStream {
    private var random: SeededRandom?
    private var bits: UInt64 = 0
    private var left = 0
    private let threshold: UInt64
    private let scale: Float

    init(probability p: Float, random: SeededRandom?) {
        self.random = p > 0 ? random : nil
        threshold = UInt64((Double(p) * 65536).rounded())
        scale = p > 0 && p < 1 ? 1 / (1 - p) : 1
    }

    var isActive: Bool { random != nil }

    /// Writes `count` multipliers to `out`.
    mutating func fill(_ out: UnsafeMutablePointer<Float>, _ count: Int) {
        guard random != nil else {
            out.update(repeating: 1, count: count)
            return
        }
        var i = 0
        // Leftover 16-bit draws of the previous word first, then four per word.
        while i < count && left > 0 { out[i] = next(); i += 1 }
        var generator = random!
        while i + 4 <= count {
            let word = generator.next()
            out[i] = word & 0xFFFF < threshold ? 0 : scale
            out[i + 1] = (word >> 16) & 0xFFFF < threshold ? 0 : scale
            out[i + 2] = (word >> 32) & 0xFFFF < threshold ? 0 : scale
            out[i + 3] = (word >> 48) < threshold ? 0 : scale
            i += 4
        }
        random = generator
        while i < count { out[i] = next(); i += 1 }
    }

    mutating func next() -> Float {
        guard random != nil else { return 1 }
        if left == 0 {
            bits = random!.next()
            left = 4
        }
        let draw = bits & 0xFFFF
        bits >>= 16
        left -= 1
        return draw < threshold ? 0 : scale
    }
}
