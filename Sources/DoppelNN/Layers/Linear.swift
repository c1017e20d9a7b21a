/// A fully connected layer `y = x·Wᵀ + b` (PyTorch `nn.Linear`, same weight layout).
///
/// Shapes: `x [B, inputs]`, `W [outputs, inputs]`, `b [outputs]`, `y [B, outputs]`.
/// Initialised like PyTorch: W and b from U(−1/√inputs, 1/√inputs).
public struct Linear: Sendable {
    public let inputs: Int
    public let outputs: Int
    /// `[outputs, inputs]`.
    public let weight: ParameterSlice
    /// `[outputs]`, or `nil` for a layer without bias.
    public let bias: ParameterSlice?

    /// Allocates the layer's parameters `"<name>.weight"` and `"<name>.bias"` in `store`.
    public init(store: inout ParameterStore, name: String, inputs: Int, outputs: Int, hasBias: Bool = true,
                weightInitializer: Initializer? = nil, biasInitializer: Initializer? = nil) {
        self.inputs = inputs
        self.outputs = outputs
        let defaultInit = Initializer.linearDefault(fanIn: inputs)
        weight = store.allocate("\(name).weight", shape: [outputs, inputs], initializer: weightInitializer ?? defaultInit)
        bias = hasBias ? store.allocate("\(name).bias", shape: [outputs], initializer: biasInitializer ?? defaultInit) : nil
    }

    /// `y [B, outputs] = x [B, inputs] · Wᵀ + b`.
    public func forward(_ x: Tensor, _ store: ParameterStore) -> Tensor {
        precondition(x.columns == inputs, "Linear expects \(inputs) input features, got shape \(x.shape)")
        let rows = x.rows
        var y = Tensor.uninitializedMatrix(rows, outputs)  // affineForward writes every element
        store.values.withUnsafeBufferPointer { p in
            x.storage.withUnsafeBufferPointer { xp in
                y.storage.withUnsafeMutableBufferPointer { yp in
                    DenseKernels.affineForward(rows: rows, inputs: inputs, outputs: outputs,
                                               x: xp.baseAddress, ldx: inputs,
                                               weight: p.baseAddress.map { $0 + weight.offset },
                                               bias: bias.flatMap { b in p.baseAddress.map { $0 + b.offset } },
                                               y: yp.baseAddress, ldy: outputs)
                }
            }
        }
        return y
    }

    /// Backward pass for `dY [B, outputs]` at input `x [B, inputs]`: accumulates `dW += dYᵀ·x`
    /// and `db += Σ_rows dY` into `store.gradients` and returns `dX [B, inputs] = dY·W`
    /// (or `nil` when `inputGradient` is `false`, e.g. for a first layer).
    @discardableResult
    public func backward(x: Tensor, dY: Tensor, store: inout ParameterStore, inputGradient: Bool = true) -> Tensor? {
        precondition(x.columns == inputs && dY.columns == outputs && x.rows == dY.rows,
                     "Linear backward: x \(x.shape), dY \(dY.shape) for \(inputs)→\(outputs)")
        let rows = x.rows
        var dX: Tensor? = inputGradient ? Tensor.uninitializedMatrix(rows, inputs) : nil  // overwritten (β = 0)
        store.withValuesAndGradients { p, g in
            x.storage.withUnsafeBufferPointer { xp in
                dY.storage.withUnsafeBufferPointer { dyp in
                    DenseKernels.affineBackwardParameters(rows: rows, inputs: inputs, outputs: outputs,
                                                          x: xp.baseAddress, ldx: inputs, dY: dyp.baseAddress, lddY: outputs,
                                                          dWeight: g.baseAddress.map { $0 + weight.offset },
                                                          dBias: bias.flatMap { b in g.baseAddress.map { $0 + b.offset } })
                    if dX != nil {
                        dX!.storage.withUnsafeMutableBufferPointer { dxp in
                            DenseKernels.affineBackwardInput(rows: rows, inputs: inputs, outputs: outputs,
                                                             dY: dyp.baseAddress, lddY: outputs,
                                                             weight: p.baseAddress.map { $0 + weight.offset },
                                                             dX: dxp.baseAddress, lddX: inputs)
                        }
                    }
                }
            }
        }
        return dX
    }
}
