/// Gradient-norm clipping over the flat gradient buffer (PyTorch `clip_grad_norm_`, L2 norm).
public enum GradientClipping {
    /// The global L2 norm `√(Σ g²)` of all gradients (accumulated in Float64).
    public static func norm(_ store: ParameterStore) -> Double {
        var sum = 0.0
        store.gradients.withUnsafeBufferPointer { g in
            for x in g { sum += Double(x) * Double(x) }
        }
        return sum.squareRoot()
    }

    /// Scales all gradients by `maxNorm / (norm + 1e-6)` when that factor is below 1; returns the
    /// norm BEFORE clipping (as PyTorch does).
    @discardableResult
    public static func clipNorm(_ store: inout ParameterStore, maxNorm: Double) -> Double {
        let total = norm(store)
        let coefficient = maxNorm / (total + 1e-6)
        if coefficient < 1 {
            let c = Float(coefficient)
            store.gradients.withUnsafeMutableBufferPointer { g in
                for i in g.indices { g[i] *= c }
            }
        }
        return total
    }
}
