import DoppelParallel

/// Inverted dropout (Srivastava et al., 2014, with PyTorch's scaling): in training each element
/// is zeroed with probability `p` and the survivors are scaled by `1/(1−p)`, so evaluation is the
/// identity.
///
/// A `Dropout` value is a stream of mask multipliers drawn from a caller-supplied
/// ``SeededRandom``, 16 bits per element (four per 64-bit draw, so mask generation stays cheap
/// next to the GEMMs): an element is dropped when its 16-bit draw is below `round(p·65536)`.
/// Without a generator, or with `p = 0`, every multiplier is 1 (evaluation mode). The same
/// generator state gives the same masks, so a training step is reproducible.
public struct Dropout: Sendable {
    /// Probability of zeroing an element, in `[0, 1)`.
    public let probability: Float
    private var random: SeededRandom?
    private var bits: UInt64 = 0
    private var left = 0
    private let threshold: UInt64
    private let scale: Float

    /// A mask stream; `random == nil` gives the evaluation-mode identity.
    public init(probability: Float, random: SeededRandom?) {
        precondition(probability >= 0 && probability < 1, "dropout probability must be in [0, 1)")
        self.probability = probability
        self.random = probability > 0 ? random : nil
        threshold = UInt64((Double(probability) * 65536).rounded())
        scale = probability > 0 ? 1 / (1 - probability) : 1
    }

    /// The identity (evaluation mode).
    public static let evaluation = Dropout(probability: 0, random: nil)

    /// Whether masks can contain zeros (training mode with `p > 0`).
    public var isActive: Bool { random != nil }

    /// Writes the next `count` multipliers (0 or `1/(1−p)`) to `out`.
    public mutating func fillMask(_ out: UnsafeMutablePointer<Float>, count: Int) {
        guard var generator = random else {
            out.update(repeating: 1, count: count)
            return
        }
        var i = 0
        // Leftover 16-bit draws of the previous word first, then four per word.
        while i < count && left > 0 { out[i] = nextFromWord(); i += 1 }
        // Four 16-bit draws per word, lowest bits first, compared and stored as one SIMD4 each.
        let limit = SIMD4<UInt32>(repeating: UInt32(threshold)), zero = SIMD4<Float>(), kept = SIMD4<Float>(repeating: scale)
        while i + 4 <= count {
            let word = generator.next()
            let draws = SIMD4<UInt32>(UInt32(truncatingIfNeeded: word) & 0xFFFF, UInt32(truncatingIfNeeded: word >> 16) & 0xFFFF,
                                      UInt32(truncatingIfNeeded: word >> 32) & 0xFFFF, UInt32(truncatingIfNeeded: word >> 48))
            let masks = zero.replacing(with: kept, where: draws .>= limit)
            UnsafeMutableRawPointer(out + i).storeBytes(of: masks, as: SIMD4<Float>.self)
            i += 4
        }
        random = generator
        while i < count { out[i] = nextFromWord(); i += 1 }
    }

    /// A mask tensor of `shape` (row-major draws), for ``apply(mask:to:)`` and its backward pass.
    public mutating func mask(shape: [Int]) -> Tensor {
        var mask = Tensor(shape: shape)
        mask.storage.withUnsafeMutableBufferPointer { m in
            if let base = m.baseAddress { fillMask(base, count: m.count) }
        }
        return mask
    }

    /// `y = x ⊙ mask` (the forward pass with a drawn mask; also the backward pass `dX = dY ⊙ mask`).
    public static func apply(mask: Tensor, to x: Tensor) -> Tensor {
        precondition(mask.shape == x.shape, "Dropout: mask \(mask.shape), x \(x.shape)")
        var y = x
        y.storage.withUnsafeMutableBufferPointer { yp in
            mask.storage.withUnsafeBufferPointer { m in
                if let out = yp.baseAddress, let factors = m.baseAddress { VectorMath.multiply(out, by: factors, count: yp.count) }
            }
        }
        return y
    }

    private mutating func nextFromWord() -> Float {
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
