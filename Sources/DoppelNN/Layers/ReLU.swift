/// The rectifier `y = max(x, 0)`, element-wise, any shape.
///
/// The loops work on `SIMD8<Float>` with lane masks: with about half the activations negative, a
/// per-element branch mispredicts constantly and the compiler does not vectorise the scalar form.
/// NaN inputs map to 0 (`NaN > 0` is false), as a select on `x > 0` does.
public enum ReLU {
    /// `y = max(x, 0)`.
    public static func forward(_ x: Tensor) -> Tensor {
        var y = x
        forwardInPlace(&y)
        return y
    }

    /// `x ← max(x, 0)` without a copy.
    public static func forwardInPlace(_ x: inout Tensor) {
        x.storage.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            let n = p.count
            var i = 0
            while i + 8 <= n {
                let raw = UnsafeMutableRawPointer(base + i)
                let v = raw.loadUnaligned(as: SIMD8<Float>.self)
                raw.storeBytes(of: v.replacing(with: 0, where: .!(v .> 0)), as: SIMD8<Float>.self)
                i += 8
            }
            while i < n { base[i] = base[i] > 0 ? base[i] : 0; i += 1 }
        }
    }

    /// `dX = dY ⊙ [y > 0]`, from the forward OUTPUT `y` (equivalent to `x > 0`).
    public static func backward(output y: Tensor, dY: Tensor) -> Tensor {
        var dX = dY
        backwardInPlace(output: y, gradient: &dX)
        return dX
    }

    /// `gradient ← gradient ⊙ [y > 0]` without a copy.
    public static func backwardInPlace(output y: Tensor, gradient: inout Tensor) {
        precondition(y.shape == gradient.shape, "ReLU backward: y \(y.shape), dY \(gradient.shape)")
        gradient.storage.withUnsafeMutableBufferPointer { d in
            y.storage.withUnsafeBufferPointer { yp in
                guard let dBase = d.baseAddress, let yBase = yp.baseAddress else { return }
                let n = d.count
                var i = 0
                while i + 8 <= n {
                    let raw = UnsafeMutableRawPointer(dBase + i)
                    let g = raw.loadUnaligned(as: SIMD8<Float>.self)
                    let v = UnsafeRawPointer(yBase + i).loadUnaligned(as: SIMD8<Float>.self)
                    raw.storeBytes(of: g.replacing(with: 0, where: .!(v .> 0)), as: SIMD8<Float>.self)
                    i += 8
                }
                while i < n { dBase[i] = yBase[i] > 0 ? dBase[i] : 0; i += 1 }
            }
        }
    }
}
