import DoppelParallel

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
    /// Large stores are split into fixed chunks run on up to `workers` threads; every parameter
    /// gets the same arithmetic whatever the split, so the result never depends on `workers`.
    public mutating func update(_ store: inout ParameterStore, workers: Int = 1) {
        precondition(store.count == firstMoment.count, "store changed size since the optimiser was made")
        step += 1
        let lr = Double(learningRate)
        let b1 = Double(settings.beta1), b2 = Double(settings.beta2)
        let biasCorrection1 = 1 - Math.pow(b1, Double(step))
        let biasCorrection2Root = Math.sqrt(1 - Math.pow(b2, Double(step)))
        let constants = StepConstants(decay: Float(1 - lr * Double(settings.weightDecay)), stepSize: Float(lr / biasCorrection1),
                                      correction2Root: Float(biasCorrection2Root), beta1: settings.beta1, beta2: settings.beta2,
                                      epsilon: settings.epsilon)
        let chunks = AdamW.chunks(of: trainableRanges)
        store.withValuesAndGradientsMutable { theta, g in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    let buffers = Buffers(theta: theta.baseAddress!, g: g.baseAddress!, m: m.baseAddress!, v: v.baseAddress!)
                    // One worker (or one chunk) runs inline on this thread.
                    Executor.sharedThreads(jobs: max(1, workers)).forEach(chunks.count) { c in
                        AdamW.update(buffers, range: chunks[c], constants)
                    }
                }
            }
        }
    }

    /// Parameters per parallel chunk: large enough that a thread hand-off (a few microseconds)
    /// is small against the update of the chunk.
    static let chunkSize = 1 << 16

    /// The trainable ranges cut into pieces of at most ``chunkSize`` parameters.
    private static func chunks(of ranges: [Range<Int>]) -> [Range<Int>] {
        ranges.flatMap { range in
            stride(from: range.lowerBound, to: range.upperBound, by: chunkSize).map { $0 ..< min($0 + chunkSize, range.upperBound) }
        }
    }

    private struct StepConstants: Sendable {
        let decay, stepSize, correction2Root, beta1, beta2, epsilon: Float
    }

    /// The four flat buffers of an update; each chunk touches a disjoint range of them.
    private struct Buffers: @unchecked Sendable {
        let theta: UnsafeMutablePointer<Float>
        let g: UnsafePointer<Float>
        let m: UnsafeMutablePointer<Float>
        let v: UnsafeMutablePointer<Float>
    }

    /// The update of one range, eight parameters at a time. IEEE multiply, add, divide and
    /// square root give the same bits in vector and scalar form (no fused multiply-add), so the
    /// tail loop matches the vector loop exactly.
    private static func update(_ b: Buffers, range: Range<Int>, _ k: StepConstants) {
        var i = range.lowerBound
        let oneMinusBeta1 = 1 - k.beta1, oneMinusBeta2 = 1 - k.beta2
        while i + 8 <= range.upperBound {
            let gi = UnsafeRawPointer(b.g + i).loadUnaligned(as: SIMD8<Float>.self)
            let p = UnsafeRawPointer(b.theta + i).loadUnaligned(as: SIMD8<Float>.self) * k.decay
            let mi = k.beta1 * UnsafeRawPointer(b.m + i).loadUnaligned(as: SIMD8<Float>.self) + oneMinusBeta1 * gi
            let vi = k.beta2 * UnsafeRawPointer(b.v + i).loadUnaligned(as: SIMD8<Float>.self) + oneMinusBeta2 * gi * gi
            UnsafeMutableRawPointer(b.m + i).storeBytes(of: mi, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(b.v + i).storeBytes(of: vi, as: SIMD8<Float>.self)
            let updated = p - k.stepSize * mi / (vi.squareRoot() / k.correction2Root + k.epsilon)
            UnsafeMutableRawPointer(b.theta + i).storeBytes(of: updated, as: SIMD8<Float>.self)
            i += 8
        }
        while i < range.upperBound {
            let gi = b.g[i]
            var p = b.theta[i] * k.decay
            let mi = k.beta1 * b.m[i] + oneMinusBeta1 * gi
            let vi = k.beta2 * b.v[i] + oneMinusBeta2 * gi * gi
            b.m[i] = mi
            b.v[i] = vi
            p -= k.stepSize * mi / (vi.squareRoot() / k.correction2Root + k.epsilon)
            b.theta[i] = p
            i += 1
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
