/// The rectifier `y = max(x, 0)`, element-wise, any shape.
///
/// The loops work on `SIMD8<Float>` with lane masks: with about half the activations negative, a
/// per-element branch mispredicts constantly and the compiler does not vectorise the scalar form.
/// NaN follows PyTorch (`torch.relu` and its backward): a NaN input stays NaN, and the gradient
/// passes where the output is NaN (`threshold_backward` zeroes only where `y ≤ 0`), so a diverging
/// model shows NaN losses instead of being silently clipped.
public enum ReLU {
    /// `x ← max(x, 0)` for `count` contiguous elements.
    public static func forward(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let raw = UnsafeMutableRawPointer(x + i)
            let v = raw.loadUnaligned(as: SIMD8<Float>.self)
            raw.storeBytes(of: v.replacing(with: 0, where: v .< 0), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { if x[i] < 0 { x[i] = 0 }; i += 1 }
    }

    /// `g ← g ⊙ [y > 0]` (zero where `y ≤ 0`) from the forward OUTPUT `y`, which is equivalent to
    /// testing the input.
    public static func backward(output y: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let raw = UnsafeMutableRawPointer(g + i)
            let v = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self).replacing(with: 0, where: v .<= 0), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { if y[i] <= 0 { g[i] = 0 }; i += 1 }
    }

    /// `y = max(x, 0)`.
    public static func forward(_ x: Tensor) -> Tensor {
        var y = x
        y.storage.withUnsafeMutableBufferPointer { p in
            if let base = p.baseAddress { forward(base, count: p.count) }
        }
        return y
    }

    /// `dX = dY ⊙ [y > 0]`, from the forward OUTPUT `y`.
    public static func backward(output y: Tensor, dY: Tensor) -> Tensor {
        precondition(y.shape == dY.shape, "ReLU backward: y \(y.shape), dY \(dY.shape)")
        var dX = dY
        dX.storage.withUnsafeMutableBufferPointer { d in
            y.storage.withUnsafeBufferPointer { yp in
                if let dBase = d.baseAddress, let yBase = yp.baseAddress { backward(output: yBase, gradient: dBase, count: d.count) }
            }
        }
        return dX
    }
}
