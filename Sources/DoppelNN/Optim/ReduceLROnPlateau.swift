/// Learning-rate schedule that halves (by ``factor``) the rate when a monitored loss stops
/// improving — PyTorch's `ReduceLROnPlateau` with `mode="min"`, `threshold_mode="rel"`:
///
/// - a value is an improvement when `value < best · (1 − threshold)`;
/// - otherwise the count of bad epochs grows; when it EXCEEDS ``patience`` the rate becomes
///   `max(rate · factor, minimumRate)` (only if that changes it by more than `1e-8`), the count
///   resets and a cooldown of ``cooldown`` epochs starts (during which bad epochs are not counted).
///
/// The reference engine uses factor 0.5, patience 2, minimum 0.1 × the initial rate. The whole
/// state is a `Codable` value so checkpoints can restore it.
public struct ReduceLROnPlateau: Sendable, Hashable, Codable {
    public let factor: Float
    public let patience: Int
    public let minimumRate: Float
    public let threshold: Double
    public let cooldown: Int
    /// The current learning rate.
    public private(set) var learningRate: Float
    /// Best value seen (`+∞` before the first step).
    public private(set) var best: Double = .infinity
    /// Consecutive epochs without improvement.
    public private(set) var badEpochs = 0
    private var cooldownLeft = 0

    public init(initialRate: Float, factor: Float = 0.5, patience: Int = 2, minimumRate: Float = 0,
                threshold: Double = 1e-4, cooldown: Int = 0) {
        precondition(factor > 0 && factor < 1, "factor must be in (0, 1)")
        self.learningRate = initialRate
        self.factor = factor
        self.patience = patience
        self.minimumRate = minimumRate
        self.threshold = threshold
        self.cooldown = cooldown
    }

    /// Feeds one epoch's monitored value (e.g. validation loss); returns the learning rate to use
    /// from now on. A NaN value counts as no improvement.
    @discardableResult
    public mutating func step(_ value: Double) -> Float {
        if value < best * (1 - threshold) {
            best = value
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            let reduced = max(learningRate * factor, minimumRate)
            if learningRate - reduced > 1e-8 { learningRate = reduced }
            cooldownLeft = cooldown
            badEpochs = 0
        }
        return learningRate
    }
}
