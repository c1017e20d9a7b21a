/// `G` independent linear layers ("heads") of equal shape `inputs → outputs`, computed together.
///
/// Parameter layout: `W [G, outputs, inputs]` and `b [G, outputs]`, each head's block contiguous
/// (head `g`'s weight is the PyTorch `[outputs, inputs]` matrix at offset `g·outputs·inputs`).
/// Seen as one matrix, `W` is `[(G·outputs), inputs]`: the heads stacked along the output
/// dimension. Outputs are always packed side by side: `y [B, G·outputs]`, head `g` in columns
/// `g·outputs ..< (g+1)·outputs`.
///
/// Two input layouts:
/// - ``InputLayout/shared``: every head reads the same `x [B, inputs]`, optionally through its own
///   0/1 feature mask `m_g [inputs]` (the TabularARGN regressor input: head `g` sees only the
///   columns that come before it in the column order). Since `(x ⊙ m_g)·W_gᵀ = x·(W_g ⊙ m_g)ᵀ`,
///   the mask moves onto the weights and ALL heads are ONE GEMM `x · W_maskedᵀ` of size
///   `B × (G·outputs) × inputs`; backward is one GEMM for `dX = dY·W_masked` and one for
///   `dW = (dYᵀ·x) ⊙ mask`.
/// - ``InputLayout/perHead``: head `g` reads its own block of `x [B, G·inputs]` (columns
///   `g·inputs ..< (g+1)·inputs`), e.g. the outputs of a previous grouped layer. Distinct inputs
///   and weights cannot share one dense GEMM without a G-fold block-diagonal waste, so each head
///   is one `sgemm` on strided sub-blocks, in place, with no packing or copying (3 calls per head
///   and step: forward, dX, dW). For heads whose whole product is tiny (`inputs·outputs` ≤
///   ``directKernelLimit``) a direct Swift loop over all heads runs instead, avoiding per-call
///   BLAS overhead.
public struct GroupedLinear: Sendable {
    /// How the heads read their input.
    public enum InputLayout: Sendable, Hashable {
        /// One `x [B, inputs]` for every head (optionally masked per head).
        case shared
        /// `x [B, G·inputs]`, head `g` in its own column block.
        case perHead
    }

    public let groups: Int
    public let inputs: Int
    public let outputs: Int
    public let layout: InputLayout
    /// `[G, outputs, inputs]`.
    public let weight: ParameterSlice
    /// `[G, outputs]`, or `nil` without bias.
    public let bias: ParameterSlice?

    /// Per-head products with at most this many multiply-adds per row use the direct kernel
    /// instead of one `sgemm` per head (``InputLayout/perHead`` only).
    public var directKernelLimit = 64

    /// Allocates `"<name>.weight"` `[G, outputs, inputs]` and `"<name>.bias"` `[G, outputs]`,
    /// initialised like `G` PyTorch `nn.Linear(inputs, outputs)` layers unless told otherwise.
    public init(store: inout ParameterStore, name: String, groups: Int, inputs: Int, outputs: Int,
                layout: InputLayout, hasBias: Bool = true,
                weightInitializer: Initializer? = nil, biasInitializer: Initializer? = nil) {
        precondition(groups > 0 && inputs >= 0 && outputs >= 0, "GroupedLinear needs groups > 0")
        self.groups = groups
        self.inputs = inputs
        self.outputs = outputs
        self.layout = layout
        let defaultInit = Initializer.linearDefault(fanIn: inputs)
        weight = store.allocate("\(name).weight", shape: [groups, outputs, inputs], initializer: weightInitializer ?? defaultInit)
        bias = hasBias ? store.allocate("\(name).bias", shape: [groups, outputs], initializer: biasInitializer ?? defaultInit) : nil
    }

    /// Width of the input tensor: `inputs` (shared) or `G·inputs` (per head).
    public var inputWidth: Int { layout == .shared ? inputs : groups * inputs }
    /// Width of the output tensor: `G·outputs`.
    public var outputWidth: Int { groups * outputs }

    /// Forward pass: `y [B, G·outputs]`, head `g`'s block `= x_g·W_gᵀ + b_g`.
    /// - Parameter inputMask: `[G, inputs]` of 0/1, only with the ``InputLayout/shared`` layout.
    public func forward(_ x: Tensor, _ store: ParameterStore, inputMask: Tensor? = nil) -> Tensor {
        precondition(x.columns == inputWidth, "GroupedLinear expects \(inputWidth) input features, got \(x.shape)")
        checkMask(inputMask)
        let rows = x.rows
        var y = Tensor.uninitializedMatrix(rows, outputWidth)  // every head block is written
        let masked = inputMask.map { maskedWeights(store, $0) }
        store.values.withUnsafeBufferPointer { p in
            let w = p.baseAddress.map { $0 + weight.offset }
            let b = bias.flatMap { s in p.baseAddress.map { $0 + s.offset } }
            x.storage.withUnsafeBufferPointer { xp in
                y.storage.withUnsafeMutableBufferPointer { yp in
                    switch layout {
                    case .shared:
                        withOptionalPointer(masked, fallback: w) { wEff in
                            DenseKernels.affineForward(rows: rows, inputs: inputs, outputs: outputWidth,
                                                       x: xp.baseAddress, ldx: inputs, weight: wEff, bias: b,
                                                       y: yp.baseAddress, ldy: outputWidth)
                        }
                    case .perHead:
                        if usesDirectKernel {
                            GroupedDirectKernels.forward(rows: rows, groups: groups, inputs: inputs, outputs: outputs,
                                                         x: xp.baseAddress, weight: w, bias: b, y: yp.baseAddress)
                        } else {
                            for g in 0..<groups {
                                DenseKernels.affineForward(rows: rows, inputs: inputs, outputs: outputs,
                                                           x: xp.baseAddress.map { $0 + g * inputs }, ldx: inputWidth,
                                                           weight: w.map { $0 + g * outputs * inputs },
                                                           bias: b.map { $0 + g * outputs },
                                                           y: yp.baseAddress.map { $0 + g * outputs }, ldy: outputWidth)
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// Backward pass for `dY [B, G·outputs]` at input `x`: accumulates `dW` and `db` into
    /// `store.gradients` and returns `dX` (same shape as `x`), or `nil` when not asked for.
    @discardableResult
    public func backward(x: Tensor, dY: Tensor, store: inout ParameterStore, inputMask: Tensor? = nil,
                         inputGradient: Bool = true) -> Tensor? {
        precondition(x.columns == inputWidth && dY.columns == outputWidth && x.rows == dY.rows,
                     "GroupedLinear backward: x \(x.shape), dY \(dY.shape)")
        checkMask(inputMask)
        let rows = x.rows
        var dX: Tensor? = inputGradient ? Tensor.uninitializedMatrix(rows, inputWidth) : nil  // every block overwritten
        let masked = inputMask.map { maskedWeights(store, $0) }
        // With a mask, dW = (dYᵀ·x) ⊙ mask: the product goes to a scratch buffer first.
        var scratch = inputMask == nil ? [] : [Float](repeating: 0, count: weight.count)
        store.withValuesAndGradients { p, g in
            let w = p.baseAddress.map { $0 + weight.offset }
            let dW = g.baseAddress.map { $0 + weight.offset }
            let dB = bias.flatMap { s in g.baseAddress.map { $0 + s.offset } }
            x.storage.withUnsafeBufferPointer { xp in
                dY.storage.withUnsafeBufferPointer { dyp in
                    switch layout {
                    case .shared:
                        scratch.withUnsafeMutableBufferPointer { sp in
                            let target = inputMask == nil ? dW : sp.baseAddress
                            DenseKernels.affineBackwardParameters(rows: rows, inputs: inputs, outputs: outputWidth,
                                                                  x: xp.baseAddress, ldx: inputs, dY: dyp.baseAddress, lddY: outputWidth,
                                                                  dWeight: target, dBias: dB)
                            if let mask = inputMask, let dW, let s = sp.baseAddress {
                                mask.storage.withUnsafeBufferPointer { m in
                                    guard let mBase = m.baseAddress else { return }
                                    for head in 0..<groups {
                                        let maskRow = mBase + head * inputs
                                        for o in 0..<outputs {
                                            let row = (head * outputs + o) * inputs
                                            for i in 0..<inputs { dW[row + i] += s[row + i] * maskRow[i] }
                                        }
                                    }
                                }
                            }
                        }
                        if dX != nil {
                            dX!.storage.withUnsafeMutableBufferPointer { dxp in
                                withOptionalPointer(masked, fallback: w) { wEff in
                                    DenseKernels.affineBackwardInput(rows: rows, inputs: inputs, outputs: outputWidth,
                                                                     dY: dyp.baseAddress, lddY: outputWidth, weight: wEff,
                                                                     dX: dxp.baseAddress, lddX: inputs)
                                }
                            }
                        }
                    case .perHead:
                        if usesDirectKernel {
                            GroupedDirectKernels.backwardParameters(rows: rows, groups: groups, inputs: inputs, outputs: outputs,
                                                                    x: xp.baseAddress, dY: dyp.baseAddress, dWeight: dW, dBias: dB)
                            if dX != nil {
                                dX!.storage.withUnsafeMutableBufferPointer { dxp in
                                    GroupedDirectKernels.backwardInput(rows: rows, groups: groups, inputs: inputs, outputs: outputs,
                                                                       dY: dyp.baseAddress, weight: w, dX: dxp.baseAddress)
                                }
                            }
                            return
                        }
                        for head in 0..<groups {
                            DenseKernels.affineBackwardParameters(rows: rows, inputs: inputs, outputs: outputs,
                                                                  x: xp.baseAddress.map { $0 + head * inputs }, ldx: inputWidth,
                                                                  dY: dyp.baseAddress.map { $0 + head * outputs }, lddY: outputWidth,
                                                                  dWeight: dW.map { $0 + head * outputs * inputs },
                                                                  dBias: dB.map { $0 + head * outputs })
                        }
                        if dX != nil {
                            dX!.storage.withUnsafeMutableBufferPointer { dxp in
                                for head in 0..<groups {
                                    DenseKernels.affineBackwardInput(rows: rows, inputs: inputs, outputs: outputs,
                                                                     dY: dyp.baseAddress.map { $0 + head * outputs }, lddY: outputWidth,
                                                                     weight: w.map { $0 + head * outputs * inputs },
                                                                     dX: dxp.baseAddress.map { $0 + head * inputs }, lddX: inputWidth)
                                }
                            }
                        }
                    }
                }
            }
        }
        return dX
    }

    private var usesDirectKernel: Bool { inputs * outputs <= directKernelLimit }

    private func checkMask(_ mask: Tensor?) {
        guard let mask else { return }
        precondition(layout == .shared, "input masks need the shared input layout")
        precondition(mask.count == groups * inputs, "input mask must be [\(groups), \(inputs)], got \(mask.shape)")
    }

    /// `W ⊙ mask` broadcast over each head's output rows: `[G, outputs, inputs]`.
    private func maskedWeights(_ store: ParameterStore, _ mask: Tensor) -> [Float] {
        var result = Array(store.values[weight.range])
        result.withUnsafeMutableBufferPointer { w in
            mask.storage.withUnsafeBufferPointer { m in
                guard let wp = w.baseAddress, let mp = m.baseAddress else { return }
                for head in 0..<groups {
                    for o in 0..<outputs {
                        let row = wp + (head * outputs + o) * inputs
                        for i in 0..<inputs { row[i] *= mp[head * inputs + i] }
                    }
                }
            }
        }
        return result
    }

    private func withOptionalPointer<R>(_ array: [Float]?, fallback: UnsafePointer<Float>?,
                                        _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let array else { return body(fallback) }
        return array.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
