import DoppelParallel

/// Inverted dropout (Srivastava et al., 2014, with PyTorch's scaling): in training each element
/// is zeroed with probability `p` and the survivors are scaled by `1/(1−p)`, so evaluation is the
/// identity. Masks come from a caller-supplied ``SeededRandom`` stream, so a step is reproducible.
public struct Dropout: Sendable {
    /// Probability of zeroing an element, in `[0, 1)`.
    public let probability: Float

    public init(probability: Float) {
        precondition(probability >= 0 && probability < 1, "dropout probability must be in [0, 1)")
        self.probability = probability
    }

    /// A mask of `shape`: each element `0` with probability `p`, else `1/(1−p)`; one draw per
    /// element in row-major order.
    public func makeMask(shape: [Int], random: inout SeededRandom) -> Tensor {
        var mask = Tensor(shape: shape)
        let keep = 1 / (1 - probability)
        mask.storage.withUnsafeMutableBufferPointer { m in
            for i in m.indices { m[i] = random.nextFloat() < probability ? 0 : keep }
        }
        return mask
    }

    /// Training forward pass: `y = x ⊙ mask` with a fresh mask, returned for ``backward(mask:dY:)``.
    /// With `p = 0` the mask is all ones.
    public func forwardTraining(_ x: Tensor, random: inout SeededRandom) -> (output: Tensor, mask: Tensor) {
        let mask = makeMask(shape: x.shape, random: &random)
        return (Dropout.apply(mask: mask, to: x), mask)
    }

    /// Evaluation forward pass: the identity.
    public func forwardEvaluation(_ x: Tensor) -> Tensor { x }

    /// `y = x ⊙ mask` (also the forward pass with a fixed mask).
    public static func apply(mask: Tensor, to x: Tensor) -> Tensor {
        precondition(mask.shape == x.shape, "Dropout: mask \(mask.shape), x \(x.shape)")
        var y = x
        y.storage.withUnsafeMutableBufferPointer { yp in
            mask.storage.withUnsafeBufferPointer { m in
                for i in yp.indices { yp[i] *= m[i] }
            }
        }
        return y
    }

    /// `dX = dY ⊙ mask`.
    public static func backward(mask: Tensor, dY: Tensor) -> Tensor { apply(mask: mask, to: dY) }
}
