import DoppelParallel
import Testing
@testable import DoppelNN

/// Finite-difference helpers: central differences of a Float64 scalar loss.
enum GradientCheck {
    /// `∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / (x_i⁺ − x_i⁻)` for every element.
    static func numerical(_ x: [Float], h: Float = 1e-2, _ f: ([Float]) -> Double) -> [Double] {
        var probe = x
        var result = [Double](repeating: 0, count: x.count)
        for i in x.indices {
            let original = probe[i]
            probe[i] = original + h
            let plus = f(probe)
            let up = probe[i]
            probe[i] = original - h
            let minus = f(probe)
            let down = probe[i]
            probe[i] = original
            result[i] = (plus - minus) / (Double(up) - Double(down))
        }
        return result
    }

    /// Expects `analytic ≈ numeric` element-wise: `|a − n| ≤ atol + rtol·max(|a|, |n|)`.
    static func expectClose(_ analytic: [Float], _ numeric: [Double], atol: Double = 2e-3, rtol: Double = 1e-2,
                            _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(analytic.count == numeric.count, "\(label): sizes differ", sourceLocation: sourceLocation)
        var worst = 0.0
        var worstIndex = -1
        for i in 0..<min(analytic.count, numeric.count) {
            let a = Double(analytic[i]), n = numeric[i]
            let excess = abs(a - n) - (atol + rtol * max(abs(a), abs(n)))
            if excess > worst { worst = excess; worstIndex = i }
        }
        #expect(worstIndex < 0,
                "\(label): element \(worstIndex) analytic \(worstIndex >= 0 ? Double(analytic[worstIndex]) : 0) vs numeric \(worstIndex >= 0 ? numeric[worstIndex] : 0)",
                sourceLocation: sourceLocation)
        // The check must have looked at something non-trivial.
        #expect(numeric.contains { abs($0) > 1e-4 }, "\(label): all numeric gradients vanish", sourceLocation: sourceLocation)
    }

    /// `Σ_k r_k·y_k` in Float64: a scalar loss whose gradient w.r.t. `y` is `r`.
    static func projection(_ y: Tensor, _ r: [Double]) -> Double {
        var sum = 0.0
        for k in 0..<y.count { sum += r[k] * Double(y.storage[k]) }
        return sum
    }

    /// Random projection weights in [−1, 1) and the matching `dY` tensor.
    static func randomProjection(shape: [Int], seed: UInt64) -> (r: [Double], dY: Tensor) {
        var rng = SeededRandom(seed: seed)
        let r = (0..<shape.reduce(1, *)).map { _ in rng.nextDouble() * 2 - 1 }
        return (r, Tensor(shape: shape, storage: r.map { Float($0) }))
    }

    /// A tensor of uniform draws in [−scale, scale).
    static func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var rng = SeededRandom(seed: seed)
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in (rng.nextFloat() * 2 - 1) * scale })
    }

    /// A store initialised with `seed`.
    static func initialized(_ store: ParameterStore, seed: UInt64) -> ParameterStore {
        var s = store
        var rng = SeededRandom(seed: seed)
        s.initialize(using: &rng)
        return s
    }

    /// Values of `slice` replaced by `values` in a copy of `store`.
    static func with(_ store: ParameterStore, _ slice: ParameterSlice, _ values: [Float]) -> ParameterStore {
        var s = store
        s.setValues(slice, values)
        return s
    }
}
