import DoppelNN
import DoppelParallel

/// One training or validation batch of the sequential model: `B` subjects, each a padded sequence
/// of `T` event rows, TIME-MAJOR so that a time step is a contiguous block of `B` rows.
struct SequenceBatch {
    let steps: Int
    let subjects: Int
    /// Target codes `[T, B, S]`: row `t·B + b` is event `t` of subject `b`.
    let codes: [Int32]
    /// Context codes `[B, S_ctx]` (empty without context columns).
    let contextCodes: [Int32]
    /// Column ranks per event row `[T·B, C]` (the any-order training orders).
    let ranks: [Int32]
    /// Loss weight per event row and target sub-column `[T·B, S]` (0: not in the loss, e.g. padding).
    let lossWeights: [Float]
    /// Per step, how many leading subjects are still in their sequence (events or end row): the
    /// subjects are ordered longest first, so the rest of a step's block is padding.
    let live: [Int]

    var rows: Int { steps * subjects }
}

/// The sequential TabularARGN network (reference engine §5.5): the flat network's column heads
/// over the target columns, CONDITIONED on two vectors per event row (``FlatNetwork/conditionWidth``):
///
/// ```
/// context codes [B, S_ctx] ─► EmbeddingSet ─► Linear ─► context vector [B, K_ctx]   (once per subject)
/// event t−1 embeddings (zeros at t = 0, excluded sub-columns zeroed) ─► Dropout ─► LSTM ─► history_t [B, H]
/// event t: heads( codes_t | condition = [context vector | history_t] )  ─► logits of every target sub-column
/// ```
///
/// The history at step `t` sees only events before `t` (teacher forcing in training; generation
/// feeds its own draws back), so one batch pass trains every step of every sequence. Positional
/// sub-columns (length, remaining rows) may be excluded from the history input, as the reference
/// does for SLEN and RIDX.
struct SequentialNetwork: Sendable {
    let heads: FlatNetwork
    let contextEmbeddings: EmbeddingSet?
    let contextEncoder: Linear?
    let history: LSTM
    /// Per element of a target embedding row: 1 if it enters the history input, 0 if excluded.
    let historyInputMask: [Float]

    var contextWidth: Int { contextEncoder?.outputs ?? 0 }
    var historyWidth: Int { history.hidden }

    /// Allocates every parameter: the heads (conditioned on `contextWidth + historyWidth` inputs),
    /// the context embeddings and encoder (when there are context sub-columns), the history LSTM.
    init(target: FlatModelArchitecture, contextCardinalities: [Int], contextDimensions: [Int], contextWidth: Int,
         historyWidth: Int, historyExcluded: Set<Int>, store: inout ParameterStore) {
        let hasContext = !contextCardinalities.isEmpty && contextWidth > 0
        let kContext = hasContext ? contextWidth : 0
        heads = FlatNetwork(architecture: target, store: &store, conditionWidth: kContext + historyWidth)
        if hasContext {
            let embeddings = EmbeddingSet(store: &store, name: "context.embedding", cardinalities: contextCardinalities,
                                          dimensions: contextDimensions)
            contextEmbeddings = embeddings
            contextEncoder = Linear(store: &store, name: "context.encoder", inputs: embeddings.outputWidth, outputs: kContext)
        } else {
            contextEmbeddings = nil
            contextEncoder = nil
        }
        history = LSTM(store: &store, name: "history", inputs: heads.embeddingWidth, hidden: historyWidth)
        var mask = [Float](repeating: 1, count: heads.embeddingWidth)
        for j in historyExcluded {
            for i in 0..<heads.embeddingDimensions[j] { mask[heads.embeddingOffsets[j] + i] = 0 }
        }
        historyInputMask = mask
    }

    /// The network of `architecture` (its parameters allocated in `store`).
    init(architecture: SequentialModelArchitecture, store: inout ParameterStore) {
        self.init(target: architecture.target, contextCardinalities: architecture.context.map(\.cardinality),
                  contextDimensions: architecture.context.map(\.embeddingDimension), contextWidth: architecture.contextWidth,
                  historyWidth: architecture.historyWidth, historyExcluded: architecture.historyExcluded, store: &store)
    }

    /// One teacher-forced pass over a batch: per target sub-column, the weighted cross-entropy
    /// summed over the batch's event rows and divided by `divisor`. With `gradients` it also runs
    /// the backward pass (heads, history through time, context encoder, all embeddings) and ADDS
    /// the gradients there. A dropout stream with a generator makes it a training pass.
    func pass(values: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>?, batch: SequenceBatch,
              dropout: inout Dropout, divisor: Float) throws(NNError) -> [Double] {
        let T = batch.steps, B = batch.subjects, rows = batch.rows, Ew = heads.embeddingWidth
        let kContext = contextWidth, H = historyWidth, K = kContext + H
        guard rows > 0 else { return [Double](repeating: 0, count: heads.subColumnCount) }

        // History input: event t−1's embeddings at step t, masked (exclusions and dropout).
        var historyInput = [Float](repeating: 0, count: rows * Ew)
        var historyMultiplier = [Float](repeating: 0, count: rows * Ew)
        let shifted = (T - 1) * B
        try batch.codes.withUnsafeBufferPointer { (codes: UnsafeBufferPointer<Int32>) throws(NNError) in
            try historyInput.withUnsafeMutableBufferPointer { (x: inout UnsafeMutableBufferPointer<Float>) throws(NNError) in
                guard shifted > 0 else { return }
                try heads.embeddings.forward(codes: codes.baseAddress!, rows: shifted, values: values, y: x.baseAddress! + B * Ew, ldy: Ew)
                historyMultiplier.withUnsafeMutableBufferPointer { m in
                    // Only live rows get a mask; padding rows keep a zero multiplier.
                    for t in 1..<T where batch.live[t] > 0 {
                        dropout.fillMask(m.baseAddress! + t * B * Ew, count: batch.live[t] * Ew)
                    }
                    historyInputMask.withUnsafeBufferPointer { keep in
                        for r in B..<rows { VectorMath.multiply(m.baseAddress! + r * Ew, by: keep.baseAddress!, count: Ew) }
                    }
                    VectorMath.multiply(x.baseAddress!, by: m.baseAddress!, count: rows * Ew)
                }
            }
        }
        let historyCache = historyInput.withUnsafeBufferPointer {
            history.forward(x: $0.baseAddress, steps: T, batch: B, values: values, live: batch.live)
        }
        let historyOutput = history.output(historyCache).storage

        // Context vector per subject.
        var contextInput = [Float](repeating: 0, count: B * (contextEmbeddings?.outputWidth ?? 0))
        var contextVector = [Float](repeating: 0, count: B * kContext)
        if let contextEmbeddings, let contextEncoder {
            let width = contextEmbeddings.outputWidth
            try batch.contextCodes.withUnsafeBufferPointer { (codes: UnsafeBufferPointer<Int32>) throws(NNError) in
                try contextInput.withUnsafeMutableBufferPointer { (x: inout UnsafeMutableBufferPointer<Float>) throws(NNError) in
                    try contextEmbeddings.forward(codes: codes.baseAddress!, rows: B, values: values, y: x.baseAddress!, ldy: width)
                    contextVector.withUnsafeMutableBufferPointer { y in
                        contextEncoder.forward(rows: B, x: x.baseAddress!, ldx: width, values: values, y: y.baseAddress!, ldy: kContext)
                    }
                }
            }
        }

        // The heads run only on event rows that are in the loss (real events, and end rows for
        // RIDX): padding after a sequence's end is most of a time-major batch and needs no heads.
        let S = heads.subColumnCount, C = heads.columnCount
        let active = (0..<rows).filter { r in (0..<S).contains { batch.lossWeights[r * S + $0] != 0 } }
        let A = active.count
        var condition = [Float](repeating: 0, count: A * K)
        var codes = [Int32](repeating: 0, count: A * S), ranks = [Int32](repeating: 0, count: A * C)
        var weights = [Float](repeating: 0, count: A * S)
        for (i, r) in active.enumerated() {
            let b = r % B
            for k in 0..<kContext { condition[i * K + k] = contextVector[b * kContext + k] }
            for k in 0..<H { condition[i * K + kContext + k] = historyOutput[r * H + k] }
            for j in 0..<S { codes[i * S + j] = batch.codes[r * S + j]; weights[i * S + j] = batch.lossWeights[r * S + j] }
            for c in 0..<C { ranks[i * C + c] = batch.ranks[r * C + c] }
        }
        var dActive = [Float](repeating: 0, count: gradients == nil ? 0 : A * K)
        let losses = try condition.withUnsafeBufferPointer { (cond: UnsafeBufferPointer<Float>) throws(NNError) -> [Double] in
            try dActive.withUnsafeMutableBufferPointer { (dCond: inout UnsafeMutableBufferPointer<Float>) throws(NNError) -> [Double] in
                try weights.withUnsafeBufferPointer { (w: UnsafeBufferPointer<Float>) throws(NNError) -> [Double] in
                    try codes.withUnsafeBufferPointer { (c: UnsafeBufferPointer<Int32>) throws(NNError) -> [Double] in
                        try ranks.withUnsafeBufferPointer { (r: UnsafeBufferPointer<Int32>) throws(NNError) -> [Double] in
                            guard A > 0 else { return [Double](repeating: 0, count: S) }
                            let conditioning = PassConditioning(input: cond.baseAddress!, inputGradient: dCond.baseAddress,
                                                                lossWeights: w.baseAddress!)
                            return try heads.pass(values: values, gradients: gradients, codes: c.baseAddress!, ranks: r.baseAddress!,
                                                  rows: A, dropout: &dropout, divisor: divisor, conditioning: conditioning)
                        }
                    }
                }
            }
        }
        var dCondition = [Float](repeating: 0, count: gradients == nil ? 0 : rows * K)
        if gradients != nil {
            for (i, r) in active.enumerated() { for k in 0..<K { dCondition[r * K + k] = dActive[i * K + k] } }
        }
        guard let gradients else { return losses }
        backward(values: values, gradients: gradients, batch: batch, dCondition: dCondition, historyInput: historyInput,
                 historyMultiplier: historyMultiplier, historyCache: historyCache, contextInput: contextInput)
        return losses
    }

    /// The condition gradient back through the history (time) and the context encoder, into the
    /// embedding tables.
    private func backward(values: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>, batch: SequenceBatch,
                          dCondition: [Float], historyInput: [Float], historyMultiplier: [Float], historyCache: LSTM.Cache,
                          contextInput: [Float]) {
        let T = batch.steps, B = batch.subjects, rows = batch.rows, Ew = heads.embeddingWidth
        let kContext = contextWidth, H = historyWidth, K = kContext + H
        var dHistory = [Float](repeating: 0, count: rows * H)
        var dContext = [Float](repeating: 0, count: B * kContext)
        for t in 0..<T {
            for b in 0..<B {
                let row = (t * B + b) * K
                for i in 0..<kContext { dContext[b * kContext + i] += dCondition[row + i] }
                for i in 0..<H { dHistory[(t * B + b) * H + i] = dCondition[row + kContext + i] }
            }
        }
        var dInput = [Float](repeating: 0, count: rows * Ew)
        historyInput.withUnsafeBufferPointer { x in
            dHistory.withUnsafeBufferPointer { dH in
                dInput.withUnsafeMutableBufferPointer { dX in
                    history.backward(x: x.baseAddress, cache: historyCache, dH: dH.baseAddress!, values: values, gradients: gradients,
                                     dX: dX.baseAddress)
                }
            }
        }
        let shifted = (T - 1) * B
        if shifted > 0 {
            dInput.withUnsafeMutableBufferPointer { dX in
                historyMultiplier.withUnsafeBufferPointer { m in VectorMath.multiply(dX.baseAddress!, by: m.baseAddress!, count: rows * Ew) }
                batch.codes.withUnsafeBufferPointer { codes in
                    heads.embeddings.backward(codes: codes.baseAddress!, rows: shifted, dY: dX.baseAddress! + B * Ew, lddY: Ew,
                                              gradients: gradients)
                }
            }
        }
        guard let contextEmbeddings, let contextEncoder else { return }
        let width = contextEmbeddings.outputWidth
        var dContextInput = [Float](repeating: 0, count: B * width)
        contextInput.withUnsafeBufferPointer { x in
            dContext.withUnsafeBufferPointer { dY in
                dContextInput.withUnsafeMutableBufferPointer { dX in
                    contextEncoder.backward(rows: B, x: x.baseAddress!, ldx: width, dY: dY.baseAddress!, lddY: kContext, values: values,
                                            gradients: gradients, dX: dX.baseAddress!, lddX: width)
                    batch.contextCodes.withUnsafeBufferPointer { codes in
                        contextEmbeddings.backward(codes: codes.baseAddress!, rows: B, dY: dX.baseAddress!, lddY: width, gradients: gradients)
                    }
                }
            }
        }
    }
}
