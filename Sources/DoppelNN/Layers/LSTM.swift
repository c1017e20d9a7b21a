/// A single-layer LSTM (Hochreiter & Schmidhuber, 1997, with the forget gate of Gers et al., 2000;
/// PyTorch `nn.LSTM` gate order and initialisation) over a batch of sequences, with an explicit
/// backward pass through time.
///
/// Per step `t`, for the batch `x_t [B, I]` and the previous state `h_{t−1}, c_{t−1} [B, H]`:
/// ```
/// a_t = x_t·W_ihᵀ + h_{t−1}·W_hhᵀ + b          [B, 4H], gate blocks i | f | g | o
/// i, f, o = σ(a_i), σ(a_f), σ(a_o)    g = tanh(a_g)
/// c_t = f ⊙ c_{t−1} + i ⊙ g           h_t = o ⊙ tanh(c_t)
/// ```
/// Shapes: `W_ih [4H, I]`, `W_hh [4H, H]`, one bias `b [4H]` (PyTorch's two biases only ever
/// appear as a sum), all from U(−1/√H, 1/√H) like PyTorch. Sequences are TIME-MAJOR,
/// `x [T, B, I]`, so step `t` is a contiguous `[B, I]` block and the batch (subjects) is the GEMM's
/// row dimension: the input projection of all steps is ONE GEMM `[T·B, I]·W_ihᵀ` up front, and
/// each step adds ONE GEMM `h_{t−1}·W_hhᵀ` for all four gate blocks. The backward pass mirrors
/// it: one GEMM per step for `dh_{t−1} = da_t·W_hh`, then one GEMM each for `dW_ih`, `dW_hh` and
/// `dx` over all steps. The initial state is zero.
///
/// Padding: the recurrence is causal, so the outputs of a sequence's real steps do not depend on
/// padded steps after them; a caller pads at the end and masks the padded steps in its loss.
/// With `live` counts (the rows of each step that are still part of some sequence, leading in
/// the step's block: sequences sorted by length, longest first, as PyTorch's packed sequences)
/// the passes skip the other rows: their outputs and gradients stay zero, and on a batch of
/// sequences of very different lengths most of the work is saved.
public struct LSTM: Sendable {
    public let inputs: Int
    public let hidden: Int
    /// `[4H, I]`.
    public let inputWeight: ParameterSlice
    /// `[4H, H]`.
    public let hiddenWeight: ParameterSlice
    /// `[4H]`.
    public let bias: ParameterSlice

    /// What the backward pass needs from a forward pass.
    public struct Cache: Sendable {
        public let steps: Int
        public let batch: Int
        /// Per step, the number of leading rows computed (`batch` for every step when all are).
        public let live: [Int]
        /// Activated gates `[T, B, 4H]` (i, f, o after σ, g after tanh).
        var gates: [Float]
        /// Cell states `c_0 … c_T`, `[T+1, B, H]` (`c_0 = 0`).
        var cells: [Float]
        /// `tanh(c_t)` for `t = 1…T`, `[T, B, H]`.
        var cellActivations: [Float]
        /// Hidden states `h_0 … h_T`, `[T+1, B, H]` (`h_0 = 0`).
        var states: [Float]
    }

    /// Allocates `"<name>.weight_ih"`, `"<name>.weight_hh"` and `"<name>.bias"` in `store`.
    public init(store: inout ParameterStore, name: String, inputs: Int, hidden: Int) {
        precondition(inputs >= 0 && hidden > 0, "LSTM needs inputs ≥ 0 and hidden > 0")
        self.inputs = inputs
        self.hidden = hidden
        let initializer = Initializer.linearDefault(fanIn: hidden)
        inputWeight = store.allocate("\(name).weight_ih", shape: [4 * hidden, inputs], initializer: initializer)
        hiddenWeight = store.allocate("\(name).weight_hh", shape: [4 * hidden, hidden], initializer: initializer)
        bias = store.allocate("\(name).bias", shape: [4 * hidden], initializer: initializer)
    }

    /// Runs the sequences `x [T, B, I]` and returns the hidden states `h_1 … h_T` as `[T, B, H]`
    /// with the cache for ``backward(x:cache:dH:store:)``.
    public func forward(_ x: Tensor, _ store: ParameterStore) -> (output: Tensor, cache: Cache) {
        precondition(x.shape.count == 3 && x.shape[2] == inputs, "LSTM expects x [T, B, \(inputs)], got \(x.shape)")
        let T = x.shape[0], B = x.shape[1]
        let cache = x.storage.withUnsafeBufferPointer { xp in
            store.values.withUnsafeBufferPointer { v in forward(x: xp.baseAddress, steps: T, batch: B, values: v.baseAddress!) }
        }
        return (output(cache), cache)
    }

    /// Pointer-level forward pass over `x [T, B, I]` (contiguous; may be `nil` when empty) with the
    /// parameter buffer `values`; the outputs are in the cache (``output(_:)``).
    /// `live[t]` (non-increasing, at most `B`): the leading rows of step `t` to compute; `nil`: all.
    public func forward(x: UnsafePointer<Float>?, steps T: Int, batch B: Int, values V: UnsafePointer<Float>, live: [Int]? = nil) -> Cache {
        let H = hidden, G = 4 * hidden
        let live = live ?? [Int](repeating: B, count: T)
        precondition(live.count == T && live.allSatisfy { $0 >= 0 && $0 <= B } && zip(live, live.dropFirst()).allSatisfy { $0 >= $1 },
                     "LSTM live counts must be non-increasing and within the batch")
        var cache = Cache(steps: T, batch: B, live: live, gates: [Float](repeating: 0, count: T * B * G),
                          cells: [Float](repeating: 0, count: (T + 1) * B * H),
                          cellActivations: [Float](repeating: 0, count: T * B * H),
                          states: [Float](repeating: 0, count: (T + 1) * B * H))
        guard T > 0, B > 0 else { return cache }
        cache.gates.withUnsafeMutableBufferPointer { a in
            cache.cells.withUnsafeMutableBufferPointer { c in
                cache.cellActivations.withUnsafeMutableBufferPointer { tc in
                    cache.states.withUnsafeMutableBufferPointer { h in
                        let A = a.baseAddress!
                        // Input projection and bias: every step at once, or step by step for the live rows.
                        Self.byStep(live, batch: B) { first, rows in
                            DenseKernels.affineForward(rows: rows, inputs: inputs, outputs: G, x: x.map { $0 + first * inputs }, ldx: inputs,
                                                       weight: V + inputWeight.offset, ldw: inputs, bias: V + bias.offset, y: A + first * G, ldy: G)
                        }
                        for t in 0..<T where live[t] > 0 {
                            let at = A + t * B * G
                            MatMul.gemm(transposeA: false, transposeB: true, m: live[t], n: G, k: H, a: h.baseAddress! + t * B * H, lda: H,
                                        b: V + hiddenWeight.offset, ldb: H, beta: 1, c: at, ldc: G)
                            step(at, cPrevious: c.baseAddress! + t * B * H, c: c.baseAddress! + (t + 1) * B * H,
                                 tanhC: tc.baseAddress! + t * B * H, h: h.baseAddress! + (t + 1) * B * H, batch: live[t])
                        }
                    }
                }
            }
        }
        return cache
    }

    /// The hidden states `h_1 … h_T` of a forward pass, `[T, B, H]`.
    public func output(_ cache: Cache) -> Tensor {
        Tensor(shape: [cache.steps, cache.batch, hidden], storage: Array(cache.states[(cache.batch * hidden)...]))
    }

    /// Backward pass through time for `dH [T, B, H]` (the loss gradient of every output `h_t`):
    /// ADDS `dW_ih`, `dW_hh`, `db` into `store.gradients` and returns `dx [T, B, I]`.
    public func backward(x: Tensor, cache: Cache, dH: Tensor, store: inout ParameterStore) -> Tensor {
        let T = cache.steps, B = cache.batch
        precondition(x.shape == [T, B, inputs] && dH.shape == [T, B, hidden], "LSTM backward: x \(x.shape), dH \(dH.shape) for T \(T), B \(B)")
        var dX = Tensor(shape: [T, B, inputs])
        guard T > 0, B > 0 else { return dX }
        store.withValuesAndGradients { v, g in
            x.storage.withUnsafeBufferPointer { xp in
                dH.storage.withUnsafeBufferPointer { dHp in
                    dX.storage.withUnsafeMutableBufferPointer { dxp in
                        backward(x: xp.baseAddress, cache: cache, dH: dHp.baseAddress!, values: v.baseAddress!, gradients: g.baseAddress!,
                                 dX: dxp.baseAddress)
                    }
                }
            }
        }
        return dX
    }

    /// Pointer-level backward pass: ADDS the parameter gradients into `gradients` and writes
    /// `dx [T, B, I]` into `dX` (when given).
    public func backward(x: UnsafePointer<Float>?, cache: Cache, dH: UnsafePointer<Float>, values V: UnsafePointer<Float>,
                         gradients Gr: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>?) {
        let T = cache.steps, B = cache.batch, H = hidden, G = 4 * hidden, live = cache.live
        guard T > 0, B > 0 else { return }
        var dA = [Float](repeating: 0, count: T * B * G)
        var dh = [Float](repeating: 0, count: B * H), dc = [Float](repeating: 0, count: B * H)
        dA.withUnsafeMutableBufferPointer { dAp in
            dh.withUnsafeMutableBufferPointer { dhp in
                dc.withUnsafeMutableBufferPointer { dcp in
                    // Rows past a step's live count stay zero in dh, dc and dA: live counts only
                    // grow going back in time, so those rows were never live later either.
                    for t in stride(from: T - 1, through: 0, by: -1) where live[t] > 0 {
                        let n = live[t]
                        // dh = ∂L/∂h_t (direct) + the recurrent part from step t+1.
                        VectorMath.add(dhp.baseAddress!, dH + t * B * H, count: n * H)
                        stepBackward(t: t, cache: cache, dh: dhp.baseAddress!, dc: dcp.baseAddress!, dA: dAp.baseAddress! + t * B * G, rows: n)
                        // dh_{t−1} = da_t·W_hh (overwrites dh).
                        DenseKernels.affineBackwardInput(rows: n, inputs: H, outputs: G, dY: dAp.baseAddress! + t * B * G, lddY: G,
                                                         weight: V + hiddenWeight.offset, ldw: H, dX: dhp.baseAddress!, lddX: H)
                    }
                }
            }
            if let dX { dX.initialize(repeating: 0, count: T * B * inputs) }
            cache.states.withUnsafeBufferPointer { h in
                Self.byStep(live, batch: B) { first, rows in
                    let dY = UnsafePointer(dAp.baseAddress! + first * G)
                    DenseKernels.affineBackwardParameters(rows: rows, inputs: inputs, outputs: G, x: x.map { $0 + first * inputs }, ldx: inputs,
                                                          dY: dY, lddY: G, dWeight: Gr + inputWeight.offset, lddW: inputs, dBias: Gr + bias.offset)
                    // dW_hh += Σ_t da_tᵀ·h_{t−1}: h_{t−1} of row t·B + b is at the same offset in h_0 … h_{T−1}.
                    DenseKernels.affineBackwardParameters(rows: rows, inputs: H, outputs: G, x: h.baseAddress! + first * H, ldx: H,
                                                          dY: dY, lddY: G, dWeight: Gr + hiddenWeight.offset, lddW: H, dBias: nil)
                    DenseKernels.affineBackwardInput(rows: rows, inputs: inputs, outputs: G, dY: dY, lddY: G,
                                                     weight: V + inputWeight.offset, ldw: inputs, dX: dX.map { $0 + first * inputs }, lddX: inputs)
                }
            }
        }
    }

    /// Calls `body(firstRow, rows)` once for all `T·B` rows when every row is live, else once per
    /// step for its live rows (steps without any are skipped).
    private static func byStep(_ live: [Int], batch B: Int, _ body: (Int, Int) -> Void) {
        if live.allSatisfy({ $0 == B }) {
            body(0, live.count * B)
        } else {
            for (t, n) in live.enumerated() where n > 0 { body(t * B, n) }
        }
    }

    /// One step for inference (generation feeds its own draws back one step at a time):
    /// `(h, c) ← LSTM(x_t, h, c)` for `B` rows, `x [B, I]` (`nil`: zeros), `h`, `c` `[B, H]` in place.
    public func advance(x: UnsafePointer<Float>?, batch B: Int, values V: UnsafePointer<Float>,
                        hidden h: inout [Float], cell c: inout [Float]) {
        let H = hidden, G = 4 * hidden
        precondition(h.count == B * H && c.count == B * H, "LSTM state must be [\(B), \(H)]")
        guard B > 0 else { return }
        var gates = [Float](repeating: 0, count: B * G)
        var previous = c
        var tanhC = [Float](repeating: 0, count: B * H)
        gates.withUnsafeMutableBufferPointer { a in
            h.withUnsafeMutableBufferPointer { hp in
                DenseKernels.affineForward(rows: B, inputs: x == nil ? 0 : inputs, outputs: G, x: x, ldx: inputs,
                                           weight: V + inputWeight.offset, ldw: inputs, bias: V + bias.offset, y: a.baseAddress!, ldy: G)
                MatMul.gemm(transposeA: false, transposeB: true, m: B, n: G, k: H, a: hp.baseAddress!, lda: H,
                            b: V + hiddenWeight.offset, ldb: H, beta: 1, c: a.baseAddress!, ldc: G)
                previous.withUnsafeMutableBufferPointer { cp in
                    c.withUnsafeMutableBufferPointer { cn in
                        tanhC.withUnsafeMutableBufferPointer { tc in
                            step(a.baseAddress!, cPrevious: cp.baseAddress!, c: cn.baseAddress!, tanhC: tc.baseAddress!, h: hp.baseAddress!, batch: B)
                        }
                    }
                }
            }
        }
    }

    /// Gate activations and the new state for one step; `a` holds the pre-activations on entry
    /// and the activated gates on return.
    private func step(_ a: UnsafeMutablePointer<Float>, cPrevious: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                      tanhC: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>, batch B: Int) {
        let H = hidden, G = 4 * hidden
        for r in 0..<B {
            let row = a + r * G
            VectorMath.sigmoid(row, count: 2 * H)          // i, f
            VectorMath.tanh(row + 2 * H, count: H)         // g
            VectorMath.sigmoid(row + 3 * H, count: H)      // o
            let cp = cPrevious + r * H, cr = c + r * H, tr = tanhC + r * H, hr = h + r * H
            for j in 0..<H { cr[j] = row[H + j] * cp[j] + row[j] * row[2 * H + j] }
            tr.update(from: cr, count: H)
            VectorMath.tanh(tr, count: H)
            VectorMath.product(row + 3 * H, tr, into: hr, count: H)
        }
    }

    /// Gate gradients of step `t` from `dh = ∂L/∂h_t` and `dc = ∂L/∂c_t` (the part through
    /// `c_{t+1}`); leaves `∂L/∂c_{t−1}` in `dc`.
    /// Rows `0..<rows` of the step (the live ones) are computed.
    private func stepBackward(t: Int, cache: Cache, dh: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>,
                              dA: UnsafeMutablePointer<Float>, rows: Int) {
        let H = hidden, G = 4 * hidden, B = cache.batch
        cache.gates.withUnsafeBufferPointer { a in
            cache.cells.withUnsafeBufferPointer { c in
                cache.cellActivations.withUnsafeBufferPointer { tc in
                    for r in 0..<rows {
                        let gate = a.baseAddress! + (t * B + r) * G, d = dA + r * G
                        let cPrevious = c.baseAddress! + (t * B + r) * H, tanhC = tc.baseAddress! + (t * B + r) * H
                        for j in 0..<H {
                            let i = gate[j], f = gate[H + j], g = gate[2 * H + j], o = gate[3 * H + j]
                            let dhj = dh[r * H + j], tcj = tanhC[j]
                            let dcj = dc[r * H + j] + dhj * o * (1 - tcj * tcj)
                            d[j] = dcj * g * i * (1 - i)
                            d[H + j] = dcj * cPrevious[j] * f * (1 - f)
                            d[2 * H + j] = dcj * i * (1 - g * g)
                            d[3 * H + j] = dhj * tcj * o * (1 - o)
                            dc[r * H + j] = dcj * f
                        }
                    }
                }
            }
        }
    }
}
