/// A dense layer whose weight matrix `W [outputs, inputs]` carries a fixed block structure: the
/// heads of a TabularARGN column (one per sub-column) computed as one layer.
///
/// Head `k` owns output rows `outputOffsets[k] ..< outputOffsets[k] + outputWidths[k]` and reads
/// only the inputs `inputRanges[k]`. The structure is kept by ZERO WEIGHTS: the entries outside a
/// head's input range (``structuralZeros``) are zero after initialisation and the model zeroes
/// their gradients after every step, so AdamW never moves them (zero gradient ⇒ zero moments ⇒
/// zero update; decoupled decay keeps 0 at 0). Two shapes occur:
///
/// - **Prefix ranges** (the first layer of a column: head `k` reads the context and the
///   embeddings of sub-columns `0..<k`): the forward pass is ONE plain GEMM for all heads, the
///   zeros multiplied along (no per-head calls, no masked copy of the weights).
/// - **Block-diagonal** (deeper layers and the predictor of a column with several sub-columns: the
///   ranges partition the input): each block is its own GEMM on strided sub-blocks, in place,
///   instead of one dense GEMM that would also multiply the zero blocks (n times the work for n
///   heads). docs/nn.md has the measurements behind the choice.
public struct BlockLinear: Sendable {
    public let weight: ParameterSlice
    public let bias: ParameterSlice
    public let inputs: Int
    public let outputs: Int
    public let outputOffsets: [Int]
    public let outputWidths: [Int]
    /// Inputs head `k` reads (a contiguous range of `0..<inputs`).
    public let inputRanges: [Range<Int>]
    /// Whether the heads' input ranges partition the input in order, with several heads: then each
    /// block runs as its own GEMM.
    public let isBlockDiagonal: Bool

    /// Allocates `"<name>.weight"` `[Σ outputWidths, inputs]` and `"<name>.bias"`, initialised like
    /// one PyTorch `nn.Linear(inputs, Σ outputWidths)`; the caller re-initialises blocks as it
    /// needs and zeroes ``structuralZeros``.
    public init(store: inout ParameterStore, name: String, inputs: Int, outputWidths: [Int], inputRanges: [Range<Int>]) {
        precondition(outputWidths.count == inputRanges.count && !outputWidths.isEmpty, "one input range per head")
        precondition(inputRanges.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= inputs }, "input ranges inside 0..<\(inputs)")
        var offsets: [Int] = []
        var total = 0
        for w in outputWidths { offsets.append(total); total += w }
        self.inputs = inputs
        outputs = total
        outputOffsets = offsets
        self.outputWidths = outputWidths
        self.inputRanges = inputRanges
        isBlockDiagonal = outputWidths.count > 1 && inputRanges.first?.lowerBound == 0 && inputRanges.last?.upperBound == inputs
            && zip(inputRanges, inputRanges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }
        weight = store.allocate("\(name).weight", shape: [total, inputs], initializer: .linearDefault(fanIn: inputs))
        bias = store.allocate("\(name).bias", shape: [total], initializer: .linearDefault(fanIn: inputs))
    }

    /// Ranges of the flat parameter buffer that must stay zero: per output row, the weights left
    /// and right of its head's input range.
    public var structuralZeros: [Range<Int>] {
        var runs: [Range<Int>] = []
        for k in outputWidths.indices {
            let allowed = inputRanges[k]
            for o in outputOffsets[k] ..< outputOffsets[k] + outputWidths[k] {
                let row = weight.offset + o * inputs
                if allowed.lowerBound > 0 { runs.append(row ..< row + allowed.lowerBound) }
                if allowed.upperBound < inputs { runs.append(row + allowed.upperBound ..< row + inputs) }
            }
        }
        return runs
    }

    /// The inputs head `k`'s GEMM reads: its range in a block-diagonal layer, else the whole input
    /// (the weights outside its range are zero).
    public func blockInputs(_ k: Int) -> Range<Int> { isBlockDiagonal ? inputRanges[k] : 0..<inputs }

    /// `y [rows, outputs] = x [rows, inputs]·Wᵀ + b` (contiguous rows).
    public func forward(rows: Int, x: UnsafePointer<Float>, values: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        for k in blocks {
            let input = blockInputs(k), o = outputOffsets[k]
            DenseKernels.affineForward(rows: rows, inputs: input.count, outputs: blockWidth(k), x: x + input.lowerBound, ldx: inputs,
                                       weight: values + weight.offset + o * inputs + input.lowerBound, ldw: inputs,
                                       bias: values + bias.offset + o, y: y + o, ldy: outputs)
        }
    }

    /// Head `k`'s outputs alone, `y [rows, outputWidths[k]]` (rows `ldy` apart), from `x` pointing
    /// at the first of ``blockInputs(_:)`` in rows `ldx` apart: generation evaluates one head at
    /// a time.
    public func forwardHead(_ k: Int, rows: Int, x: UnsafePointer<Float>, ldx: Int, values: UnsafePointer<Float>,
                            y: UnsafeMutablePointer<Float>, ldy: Int) {
        let input = blockInputs(k), o = outputOffsets[k]
        DenseKernels.affineForward(rows: rows, inputs: input.count, outputs: outputWidths[k], x: x, ldx: ldx,
                                   weight: values + weight.offset + o * inputs + input.lowerBound, ldw: inputs,
                                   bias: values + bias.offset + o, y: y, ldy: ldy)
    }

    /// ADDS `dW`, `db` into `gradients` and writes `dX = dY·W` (every element) into `dX`.
    public func backward(rows: Int, x: UnsafePointer<Float>, dY: UnsafePointer<Float>, values: UnsafePointer<Float>,
                         gradients: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>) {
        // Block-diagonal blocks' input ranges partition the input, so every element of dX is written once.
        for k in blocks {
            let input = blockInputs(k), o = outputOffsets[k], w = blockWidth(k)
            DenseKernels.affineBackwardParameters(rows: rows, inputs: input.count, outputs: w, x: x + input.lowerBound, ldx: inputs,
                                                  dY: dY + o, lddY: outputs,
                                                  dWeight: gradients + weight.offset + o * inputs + input.lowerBound, lddW: inputs,
                                                  dBias: gradients + bias.offset + o)
            DenseKernels.affineBackwardInput(rows: rows, inputs: input.count, outputs: w, dY: dY + o, lddY: outputs,
                                             weight: values + weight.offset + o * inputs + input.lowerBound, ldw: inputs,
                                             dX: dX + input.lowerBound, lddX: inputs)
        }
    }

    /// The GEMMs of a pass: one per head when block-diagonal, else one for the whole layer
    /// (block 0 then stands for all rows, see ``blockWidth(_:)``).
    private var blocks: Range<Int> { isBlockDiagonal ? outputWidths.indices : 0..<1 }
    private func blockWidth(_ k: Int) -> Int { isBlockDiagonal ? outputWidths[k] : outputs }
}
