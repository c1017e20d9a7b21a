/// The rectifier `y = max(x, 0)`, element-wise, any shape.
public enum ReLU {
    /// `y = max(x, 0)`.
    public static func forward(_ x: Tensor) -> Tensor {
        var y = x
        y.storage.withUnsafeMutableBufferPointer { p in
            for i in p.indices where !(p[i] > 0) { p[i] = 0 }
        }
        return y
    }

    /// `dX = dY ⊙ [y > 0]`, from the forward OUTPUT `y` (equivalent to `x > 0`).
    public static func backward(output y: Tensor, dY: Tensor) -> Tensor {
        precondition(y.shape == dY.shape, "ReLU backward: y \(y.shape), dY \(dY.shape)")
        var dX = dY
        dX.storage.withUnsafeMutableBufferPointer { d in
            y.storage.withUnsafeBufferPointer { yp in
                for i in d.indices where !(yp[i] > 0) { d[i] = 0 }
            }
        }
        return dX
    }
}
