import DoppelParallel

/// How a parameter slice is filled by ``ParameterStore/initialize(using:)``.
///
/// The named constructors reproduce PyTorch's defaults so that models start from the same
/// distributions as the reference engine.
public enum Initializer: Sendable, Hashable {
    /// All zeros.
    case zeros
    /// Every element `value`.
    case constant(Float)
    /// Independent draws from U(lower, upper).
    case uniform(lower: Float, upper: Float)
    /// Independent draws from N(mean, std²).
    case normal(mean: Float, std: Float)

    /// `nn.Linear` weight and bias default: `kaiming_uniform_(a=√5)` on the weight, which is
    /// U(−1/√fanIn, 1/√fanIn) (gain √(2/(1+5)) · √3 / √fanIn), and the same bound for the bias.
    public static func linearDefault(fanIn: Int) -> Initializer {
        let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return .uniform(lower: -bound, upper: bound)
    }

    /// Kaiming (He) uniform for ReLU layers: U(−b, b), b = √(6 / fanIn) (`kaiming_uniform_`, a = 0).
    public static func kaimingUniform(fanIn: Int) -> Initializer {
        let bound = fanIn > 0 ? (6 / Float(fanIn)).squareRoot() : 0
        return .uniform(lower: -bound, upper: bound)
    }

    /// Glorot/Xavier uniform (Glorot & Bengio 2010): U(−b, b), b = √(6 / (fanIn + fanOut)).
    public static func xavierUniform(fanIn: Int, fanOut: Int) -> Initializer {
        let bound = fanIn + fanOut > 0 ? (6 / Float(fanIn + fanOut)).squareRoot() : 0
        return .uniform(lower: -bound, upper: bound)
    }

    /// `nn.Embedding` default: N(0, 1).
    public static let embeddingDefault = Initializer.normal(mean: 0, std: 1)

    /// Fills `buffer` with draws from `random`, element by element in order.
    public func fill(_ buffer: UnsafeMutableBufferPointer<Float>, random: inout SeededRandom) {
        switch self {
        case .zeros:
            for i in buffer.indices { buffer[i] = 0 }
        case .constant(let value):
            for i in buffer.indices { buffer[i] = value }
        case .uniform(let lower, let upper):
            let width = Double(upper) - Double(lower)
            for i in buffer.indices { buffer[i] = Float(Double(lower) + width * random.nextDouble()) }
        case .normal(let mean, let std):
            for i in buffer.indices { buffer[i] = Float(Double(mean) + Double(std) * random.nextGaussian()) }
        }
    }
}
