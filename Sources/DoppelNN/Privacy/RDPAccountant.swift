#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Privacy accounting of DP-SGD: the Rényi differential privacy (RDP) of the Poisson-subsampled
/// Gaussian mechanism, composed over steps and converted to (ε, δ).
///
/// - RDP of one step at order α, sampling rate q, noise multiplier σ: Mironov, Talwar and Zhang,
///   "Rényi Differential Privacy of the Sampled Gaussian Mechanism" (2019). Integer α: the exact
///   binomial sum `A_α = Σ_k C(α,k) (1−q)^(α−k) q^k exp((k²−k)/(2σ²))`, `RDP = ln A_α / (α−1)`;
///   fractional α: the paper's two-sided series with `erfc` terms (§3.3), summed in log space
///   until both terms fall below e^−30.
/// - Composition: RDP adds up over steps (Mironov, "Rényi Differential Privacy", 2017).
/// - Conversion to (ε, δ): Balle et al., "Hypothesis Testing Interpretations and Rényi
///   Differential Privacy" (2020): `ε = RDP_α − (ln δ + ln α)/(α−1) + ln((α−1)/α)`, minimised over
///   the orders.
public struct RDPAccountant: Sendable, Equatable, Codable {
    /// The orders α at which RDP is tracked: 1.1 … 10.9 in steps of 0.1, then 12 … 63.
    public static let defaultOrders: [Double] = (1..<100).map { 1 + Double($0) / 10 } + (12..<64).map(Double.init)

    public let orders: [Double]
    /// The composed RDP at each order.
    public private(set) var rdp: [Double]
    /// Steps accounted so far.
    public private(set) var steps = 0
    /// The RDP of one step at the last (σ, q), so that a training loop's every step does not
    /// recompute the series (not saved, not compared).
    private var lastStep: (sigma: Double, q: Double, rdp: [Double])? = nil

    private enum CodingKeys: String, CodingKey { case orders, rdp, steps }

    public static func == (a: RDPAccountant, b: RDPAccountant) -> Bool {
        a.orders == b.orders && a.rdp == b.rdp && a.steps == b.steps
    }

    public init(orders: [Double] = RDPAccountant.defaultOrders) {
        precondition(orders.allSatisfy { $0 > 1 }, "RDP orders must exceed 1")
        self.orders = orders
        rdp = [Double](repeating: 0, count: orders.count)
    }

    /// Accounts `count` steps with sampling rate `q` and noise multiplier `sigma`.
    public mutating func step(noiseMultiplier sigma: Double, sampleRate q: Double, count: Int = 1) {
        let perStep: [Double]
        if let last = lastStep, last.sigma == sigma, last.q == q {
            perStep = last.rdp
        } else {
            perStep = orders.map { Self.sampledGaussianRDP(q: q, sigma: sigma, alpha: $0) }
            lastStep = (sigma, q, perStep)
        }
        for (i, one) in perStep.enumerated() { rdp[i] += Double(count) * one }
        steps += count
    }

    /// The ε of the steps so far at `delta`, and the order that attains it.
    public func epsilon(delta: Double) -> (epsilon: Double, order: Double) {
        precondition(delta > 0 && delta < 1, "delta must lie in (0, 1)")
        var best = (epsilon: Double.infinity, order: orders.first ?? 2)
        for (alpha, r) in zip(orders, rdp) {
            let e = r - (log(delta) + log(alpha)) / (alpha - 1) + log((alpha - 1) / alpha)
            if e.isFinite && e < best.epsilon { best = (max(0, e), alpha) }
        }
        return best
    }

    /// The ε that `steps` steps at `q` and `sigma` would spend (without changing this accountant).
    public static func epsilon(noiseMultiplier sigma: Double, sampleRate q: Double, steps: Int, delta: Double,
                               orders: [Double] = defaultOrders) -> Double {
        var accountant = RDPAccountant(orders: orders)
        accountant.step(noiseMultiplier: sigma, sampleRate: q, count: steps)
        return accountant.epsilon(delta: delta).epsilon
    }

    /// The smallest noise multiplier (to `tolerance`) whose `steps` steps at `q` stay within ε at
    /// `delta`, by bisection (ε falls as σ grows).
    public static func noiseMultiplier(epsilon target: Double, delta: Double, sampleRate q: Double, steps: Int,
                                       tolerance: Double = 1e-3) -> Double {
        var low = 0.0, high = 1.0
        while epsilon(noiseMultiplier: high, sampleRate: q, steps: steps, delta: delta) > target { low = high; high *= 2 }
        while high - low > tolerance {
            let mid = (low + high) / 2
            if epsilon(noiseMultiplier: mid, sampleRate: q, steps: steps, delta: delta) > target { low = mid } else { high = mid }
        }
        return high
    }

    // MARK: The sampled Gaussian mechanism (Mironov, Talwar and Zhang 2019)

    /// RDP at order `alpha` of one step.
    static func sampledGaussianRDP(q: Double, sigma: Double, alpha: Double) -> Double {
        if q == 0 { return 0 }
        if sigma == 0 { return .infinity }
        if q == 1 { return alpha / (2 * sigma * sigma) }
        let logA = alpha == alpha.rounded() ? logAInteger(q: q, sigma: sigma, alpha: Int(alpha)) : logAFractional(q: q, sigma: sigma, alpha: alpha)
        return logA / (alpha - 1)
    }

    private static func logAInteger(q: Double, sigma: Double, alpha: Int) -> Double {
        var logA = -Double.infinity
        for k in 0...alpha {
            let term = logBinomial(Double(alpha), Double(k)) + Double(k) * log(q) + Double(alpha - k) * log(1 - q)
                + Double(k * k - k) / (2 * sigma * sigma)
            logA = logAdd(logA, term)
        }
        return logA
    }

    private static func logAFractional(q: Double, sigma: Double, alpha: Double) -> Double {
        var logA0 = -Double.infinity, logA1 = -Double.infinity
        let z0 = sigma * sigma * log(1 / q - 1) + 0.5
        var i = 0.0
        while true {
            let coefficient = generalizedBinomial(alpha, i)
            let logCoefficient = log(abs(coefficient))
            let j = alpha - i
            let logT0 = logCoefficient + i * log(q) + j * log(1 - q)
            let logT1 = logCoefficient + j * log(q) + i * log(1 - q)
            let logE0 = log(0.5) + logErfc((i - z0) / (2.0.squareRoot() * sigma))
            let logE1 = log(0.5) + logErfc((z0 - j) / (2.0.squareRoot() * sigma))
            let logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0
            let logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1
            if coefficient > 0 {
                logA0 = logAdd(logA0, logS0)
                logA1 = logAdd(logA1, logS1)
            } else {
                logA0 = logSubtract(logA0, logS0)
                logA1 = logSubtract(logA1, logS1)
            }
            i += 1
            if max(logS0, logS1) < -30 || i > 10_000 { break }
        }
        return logAdd(logA0, logA1)
    }

    /// `C(α, k)` for real α and whole k (the series' coefficients; may be negative).
    private static func generalizedBinomial(_ alpha: Double, _ k: Double) -> Double {
        var result = 1.0
        var i = 0.0
        while i < k { result *= (alpha - i) / (i + 1); i += 1 }
        return result
    }

    private static func logBinomial(_ n: Double, _ k: Double) -> Double { lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) }

    static func logAdd(_ a: Double, _ b: Double) -> Double {
        let (high, low) = a > b ? (a, b) : (b, a)
        if low == -.infinity { return high }
        return high + log1p(exp(low - high))
    }

    /// `ln(eᵃ − eᵇ)` for a ≥ b (−∞ when they are equal).
    static func logSubtract(_ a: Double, _ b: Double) -> Double {
        precondition(a >= b || b == -.infinity, "logSubtract needs a ≥ b")
        if b == -.infinity { return a }
        if a == b { return -.infinity }
        return a + log(-expm1(b - a))
    }

    /// `ln erfc(x)`, with the asymptotic expansion where erfc underflows.
    static func logErfc(_ x: Double) -> Double {
        if x < 25 { return log(erfc(x)) }
        let r = 1 / (x * x)
        return -x * x - log(x) - 0.5 * log(Double.pi) + log(1 - 0.5 * r + 0.75 * r * r - 1.875 * r * r * r)
    }
}
