/// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019) with PyTorch's
/// exact update order, over the flat buffers of a ``ParameterStore``:
///
/// ```
/// t += 1
/// θ  ← θ · (1 − lr·λ)                       decoupled weight decay (before the moment update)
/// m  ← β1·m + (1 − β1)·g
/// v  ← β2·v + (1 − β2)·g²
/// θ  ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)   ε added AFTER the bias correction of √v
/// ```
///
/// Defaults are `torch.optim.AdamW`'s: lr 1e-3, betas (0.9, 0.999), ε 1e-8, weight decay 0.01.
/// Slices marked not trainable are skipped entirely (no decay either), like frozen PyTorch
/// parameters. The moments live in two flat buffers of the store's size; ``state`` saves and
/// ``init(restoring:)`` restores them.
public struct AdamW: Sendable {
    /// Hyper-parameters (learning rate changes over training through ``learningRate``).
    public struct Settings: Sendable, Hashable, Codable {
        public var beta1: Float = 0.9
        public var beta2: Float = 0.999
        public var epsilon: Float = 1e-8
        public var weightDecay: Float = 0.01
        public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
        }
    }

    /// Everything needed to resume: settings, learning rate, step count and both moments.
    public struct State: Sendable, Hashable, Codable {
        public var settings: Settings
        public var learningRate: Float
        public var step: Int
        public var firstMoment: [Float]
        public var secondMoment: [Float]
    }

    public var learningRate: Float
    public let settings: Settings
    /// Number of steps taken (`t`).
    public private(set) var step = 0
    private var firstMoment: [Float]
    private var secondMoment: [Float]
    /// Ranges of trainable parameters, merged where adjacent.
    private var trainableRanges: [Range<Int>]

    /// An optimiser for every trainable slice of `store`.
    public init(store: ParameterStore, learningRate: Float = 1e-3, settings: Settings = Settings()) {
        self.learningRate = learningRate
        self.settings = settings
        firstMoment = [Float](repeating: 0, count: store.count)
        secondMoment = [Float](repeating: 0, count: store.count)
        trainableRanges = AdamW.trainableRanges(of: store)
    }

    /// An optimiser resuming from `state` for `store` (same parameter layout).
    /// - Precondition: the moment buffers match the store's size.
    public init(store: ParameterStore, restoring state: State) {
        precondition(state.firstMoment.count == store.count && state.secondMoment.count == store.count,
                     "optimiser state for \(state.firstMoment.count) parameters, store has \(store.count)")
        learningRate = state.learningRate
        settings = state.settings
        step = state.step
        firstMoment = state.firstMoment
        secondMoment = state.secondMoment
        trainableRanges = AdamW.trainableRanges(of: store)
    }

    /// A snapshot for checkpoints.
    public var state: State {
        State(settings: settings, learningRate: learningRate, step: step, firstMoment: firstMoment, secondMoment: secondMoment)
    }

    /// One update of all trainable parameters from `store.gradients` (gradients are not reset).
    public mutating func update(_ store: inout ParameterStore) {
        precondition(store.count == firstMoment.count, "store changed size since the optimiser was made")
        step += 1
        let lr = Double(learningRate)
        let b1 = Double(settings.beta1), b2 = Double(settings.beta2)
        let biasCorrection1 = 1 - Math.pow(b1, Double(step))
        let biasCorrection2Root = Math.sqrt(1 - Math.pow(b2, Double(step)))
        let decay = Float(1 - lr * Double(settings.weightDecay))
        let stepSize = Float(lr / biasCorrection1)
        let correction2Root = Float(biasCorrection2Root)
        let beta1 = settings.beta1, beta2 = settings.beta2, epsilon = settings.epsilon
        let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
        let ranges = trainableRanges
        store.withValuesAndGradientsMutable { theta, g in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    for range in ranges {
                        for i in range {
                            let gi = g[i]
                            var p = theta[i] * decay
                            let mi = beta1 * m[i] + oneMinusBeta1 * gi
                            let vi = beta2 * v[i] + oneMinusBeta2 * gi * gi
                            m[i] = mi
                            v[i] = vi
                            p -= stepSize * mi / (vi.squareRoot() / correction2Root + epsilon)
                            theta[i] = p
                        }
                    }
                }
            }
        }
    }

    private static func trainableRanges(of store: ParameterStore) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for slice in store.slices where slice.trainable && slice.count > 0 {
            if let last = ranges.last, last.upperBound == slice.offset {
                ranges[ranges.count - 1] = last.lowerBound ..< slice.range.upperBound
            } else {
                ranges.append(slice.range)
            }
        }
        return ranges
    }
}

extension ParameterStore {
    /// Calls `body` with write access to ``values`` and read access to ``gradients``
    /// (what an optimiser step needs).
    public mutating func withValuesAndGradientsMutable<R>(
        _ body: (UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try values.withUnsafeMutableBufferPointer { v in
            try gradients.withUnsafeBufferPointer { g in try body(v, g) }
        }
    }
}
