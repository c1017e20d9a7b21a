/// A fully connected layer `y = x·Wᵀ + b` (PyTorch `nn.Linear`, same weight layout).
///
/// Shapes: `x [B, inputs]`, `W [outputs, inputs]`, `b [outputs]`, `y [B, outputs]`.
/// Initialised like PyTorch: W and b from U(−1/√inputs, 1/√inputs).
///
/// Two interfaces over the same kernels (``DenseKernels``): pointer-level passes on strided row
/// blocks, which the models use to read and write slices of wider activation matrices in place,
/// and ``Tensor`` passes for whole matrices.
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

    /// `y [rows, outputs] = x [rows, inputs]·Wᵀ + b`, rows `ldx` / `ldy` floats apart; `values` is
    /// the parameter buffer (``ParameterStore/values``).
    public func forward(rows: Int, x: UnsafePointer<Float>, ldx: Int, values: UnsafePointer<Float>,
                        y: UnsafeMutablePointer<Float>, ldy: Int) {
        DenseKernels.affineForward(rows: rows, inputs: inputs, outputs: outputs, x: x, ldx: ldx,
                                   weight: values + weight.offset, ldw: inputs, bias: bias.map { values + $0.offset },
                                   y: y, ldy: ldy)
    }

    /// Backward pass for `dY [rows, outputs]` at input `x`: ADDS `dW += dYᵀ·x` and `db += Σ_rows dY`
    /// into `gradients` (the store's gradient buffer) and, when `dX` is given, writes `dX = dY·W`
    /// (`accumulateInput` adds it instead).
    public func backward(rows: Int, x: UnsafePointer<Float>, ldx: Int, dY: UnsafePointer<Float>, lddY: Int,
                         values: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
                         dX: UnsafeMutablePointer<Float>?, lddX: Int, accumulateInput: Bool = false) {
        DenseKernels.affineBackwardParameters(rows: rows, inputs: inputs, outputs: outputs, x: x, ldx: ldx, dY: dY, lddY: lddY,
                                              dWeight: gradients + weight.offset, lddW: inputs,
                                              dBias: bias.map { gradients + $0.offset })
        guard let dX else { return }
        DenseKernels.affineBackwardInput(rows: rows, inputs: inputs, outputs: outputs, dY: dY, lddY: lddY,
                                         weight: values + weight.offset, ldw: inputs, dX: dX, lddX: lddX,
                                         accumulate: accumulateInput)
    }

    /// `y [B, outputs] = x [B, inputs] · Wᵀ + b`.
    public func forward(_ x: Tensor, _ store: ParameterStore) -> Tensor {
        precondition(x.columns == inputs, "Linear expects \(inputs) input features, got shape \(x.shape)")
        let rows = x.rows
        var y = Tensor.uninitializedMatrix(rows, outputs)  // every element is written
        guard rows > 0, outputs > 0 else { return y }
        store.values.withUnsafeBufferPointer { p in
            x.storage.withUnsafeBufferPointer { xp in
                y.storage.withUnsafeMutableBufferPointer { yp in
                    forward(rows: rows, x: xp.baseAddress ?? p.baseAddress!, ldx: inputs, values: p.baseAddress!,
                            y: yp.baseAddress!, ldy: outputs)
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
        var dX: Tensor? = inputGradient ? Tensor(shape: [rows, inputs]) : nil
        guard rows > 0, outputs > 0 else { return dX }
        store.withValuesAndGradients { p, g in
            x.storage.withUnsafeBufferPointer { xp in
                dY.storage.withUnsafeBufferPointer { dyp in
                    let xBase = xp.baseAddress ?? p.baseAddress!
                    if dX == nil {
                        backward(rows: rows, x: xBase, ldx: inputs, dY: dyp.baseAddress!, lddY: outputs, values: p.baseAddress!,
                                 gradients: g.baseAddress!, dX: nil, lddX: inputs)
                    } else {
                        dX!.storage.withUnsafeMutableBufferPointer { dxp in
                            backward(rows: rows, x: xBase, ldx: inputs, dY: dyp.baseAddress!, lddY: outputs, values: p.baseAddress!,
                                     gradients: g.baseAddress!, dX: dxp.baseAddress, lddX: inputs)
                        }
                    }
                }
            }
        }
        return dX
    }
}
