import DoppelNN
import DoppelParallel

/// One dense layer of a column's network whose weight matrix `[outputs, inputs]` carries a fixed
/// block structure: head `k` (sub-column `k` of the column) owns output rows
/// `outputOffsets[k] ..< outputOffsets[k] + outputWidths[k]`, and reads only some inputs.
///
/// The structure is kept by ZERO WEIGHTS: the forbidden entries are zero after initialisation and
/// their gradients are zeroed after every step (``FlatNetwork/zeroRuns``), so AdamW never moves
/// them (zero gradient ⇒ zero moments ⇒ zero update; decoupled decay keeps 0 at 0). The forward
/// pass is then ONE plain GEMM for all heads of the column — no per-head calls, no masked copy.
struct BlockLayer: Sendable {
    let weight: ParameterSlice
    let bias: ParameterSlice
    let inputs: Int
    let outputs: Int
    let outputOffsets: [Int]
    let outputWidths: [Int]
    /// Input columns head `k` reads: `inputRanges[k]` (a contiguous range; the first layer also
    /// reads the context part, see ``ColumnNetwork``).
    let inputRanges: [Range<Int>]
}

/// The network of one column: its regressor layers (ReLU after each) and the predictor layer
/// that produces the logits of all its sub-columns side by side.
struct ColumnNetwork: Sendable {
    let firstSubColumn: Int
    let subColumnCount: Int
    /// `[context (all column embeddings, masked per sample) | this column's sub-column embeddings]`.
    let inputWidth: Int
    let regressor: [BlockLayer]
    let predictor: BlockLayer
    var layers: [BlockLayer] { regressor + [predictor] }
}

/// The parameter layout of a flat TabularARGN network (see docs/model.md for the picture):
///
/// ```
/// codes [B, S] ─► sub-column embeddings E [B, ΣD]  (one table per sub-column)
///             ─► column embeddings CE [B, ΣK]      (concatenation, or one Linear per wide column)
/// column c:   X_c = [CE ⊙ precedes(c) per sample | E_c]  ─► Dropout ─► Linear ─► ReLU (…)
///             ─► predictor ─► logits of every sub-column of c, side by side
/// ```
/// Sub-column `k` of column `c` sees the column embeddings of the columns before `c` in the
/// sample's column order and the embeddings of sub-columns `0..<k` of `c` (a within-column mask
/// kept in the first layer's weights).
struct FlatNetwork: Sendable {
    let architecture: FlatModelArchitecture
    let cardinalities: [Int]
    let embeddingDimensions: [Int]
    /// Offset of sub-column `j`'s embedding inside a row of E.
    let embeddingOffsets: [Int]
    let embeddingWidth: Int
    let embeddings: [ParameterSlice]
    /// Column of each sub-column.
    let columnOfSubColumn: [Int]
    /// Per column: offset and width of its block in E.
    let ownOffsets: [Int]
    let ownWidths: [Int]
    /// Per column: offset and width of its column embedding in CE.
    let contextOffsets: [Int]
    let contextWidths: [Int]
    let contextWidth: Int
    /// Per column: `(weight [K, D], bias [K])` of the compressor, or `nil` for plain concatenation.
    let compressors: [(weight: ParameterSlice, bias: ParameterSlice)?]
    let columns: [ColumnNetwork]
    /// Ranges of the flat parameter buffer that must stay zero (the block structure).
    let zeroRuns: [Range<Int>]
    let dropout: Float

    var subColumnCount: Int { cardinalities.count }
    var columnCount: Int { columns.count }

    init(architecture: FlatModelArchitecture, store: inout ParameterStore) {
        self.architecture = architecture
        dropout = architecture.dropout
        let subs = architecture.columns.flatMap(\.subColumns)
        cardinalities = subs.map(\.cardinality)
        embeddingDimensions = subs.map(\.embeddingDimension)
        var offsets: [Int] = []
        var width = 0
        for d in embeddingDimensions { offsets.append(width); width += d }
        embeddingOffsets = offsets
        embeddingWidth = width
        embeddings = subs.enumerated().map { j, sub in
            store.allocate("embedding.\(j)", shape: [sub.cardinality, sub.embeddingDimension], initializer: .embeddingDefault)
        }
        var columnOf: [Int] = []
        var ownOffsets: [Int] = [], ownWidths: [Int] = [], ctxOffsets: [Int] = [], ctxWidths: [Int] = []
        var compressors: [(weight: ParameterSlice, bias: ParameterSlice)?] = []
        var first = 0, ctx = 0
        for (c, column) in architecture.columns.enumerated() {
            columnOf += Array(repeating: c, count: column.subColumns.count)
            let own = column.subColumns.reduce(0) { $0 + $1.embeddingDimension }
            ownOffsets.append(offsets[first])
            ownWidths.append(own)
            ctxOffsets.append(ctx)
            ctxWidths.append(column.embeddingDimension)
            ctx += column.embeddingDimension
            if column.compressed {
                let k = column.embeddingDimension
                compressors.append((store.allocate("column.\(c).weight", shape: [k, own], initializer: .linearDefault(fanIn: own)),
                                    store.allocate("column.\(c).bias", shape: [k], initializer: .linearDefault(fanIn: own))))
            } else {
                compressors.append(nil)
            }
            first += column.subColumns.count
        }
        columnOfSubColumn = columnOf
        self.ownOffsets = ownOffsets
        self.ownWidths = ownWidths
        contextOffsets = ctxOffsets
        contextWidths = ctxWidths
        contextWidth = ctx
        self.compressors = compressors

        var networks: [ColumnNetwork] = []
        var zeroRuns: [Range<Int>] = []
        first = 0
        for (c, column) in architecture.columns.enumerated() {
            let inputWidth = ctx + ownWidths[c]
            var layers: [BlockLayer] = []
            var inputRanges: [Range<Int>] = []
            var prefix = 0
            for sub in column.subColumns {
                // Head k reads the context and the embeddings of sub-columns 0..<k of its column.
                inputRanges.append(0 ..< ctx + prefix)
                prefix += sub.embeddingDimension
            }
            var inputs = inputWidth
            let depth = column.subColumns.first?.regressorLayers.count ?? 0
            for l in 0...depth {
                let widths = l < depth ? column.subColumns.map { $0.regressorLayers[l] } : column.subColumns.map(\.cardinality)
                var outputOffsets: [Int] = []
                var outputs = 0
                for w in widths { outputOffsets.append(outputs); outputs += w }
                let name = l < depth ? "column.\(c).regressor.\(l)" : "column.\(c).predictor"
                let weight = store.allocate("\(name).weight", shape: [outputs, inputs], initializer: .linearDefault(fanIn: inputs))
                let bias = store.allocate("\(name).bias", shape: [outputs], initializer: .linearDefault(fanIn: inputs))
                let layer = BlockLayer(weight: weight, bias: bias, inputs: inputs, outputs: outputs,
                                       outputOffsets: outputOffsets, outputWidths: widths, inputRanges: inputRanges)
                for k in widths.indices {
                    let allowed = inputRanges[k]
                    for o in outputOffsets[k] ..< outputOffsets[k] + widths[k] {
                        let row = weight.offset + o * inputs
                        if allowed.lowerBound > 0 { zeroRuns.append(row ..< row + allowed.lowerBound) }
                        if allowed.upperBound < inputs { zeroRuns.append(row + allowed.upperBound ..< row + inputs) }
                    }
                }
                layers.append(layer)
                // The next layer is block-diagonal: head k reads only its own block of this output.
                inputRanges = widths.indices.map { outputOffsets[$0] ..< outputOffsets[$0] + widths[$0] }
                inputs = outputs
            }
            networks.append(ColumnNetwork(firstSubColumn: first, subColumnCount: column.subColumns.count,
                                          inputWidth: inputWidth, regressor: Array(layers.dropLast()), predictor: layers[layers.count - 1]))
            first += column.subColumns.count
        }
        columns = networks
        self.zeroRuns = zeroRuns
    }

    /// Initialises all parameters from `seed`: PyTorch defaults (embeddings N(0,1), Linear
    /// U(±1/√fan_in)); block-diagonal layers per block with the block's own fan-in, predictor
    /// weights Xavier-uniform per head (as the reference engine); then the block structure's zeros.
    func initialize(_ store: inout ParameterStore, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        store.initialize(using: &random)
        for (c, column) in columns.enumerated() {
            for (l, layer) in column.layers.enumerated() where l > 0 {
                let isPredictor = l == column.regressor.count
                for k in layer.outputWidths.indices {
                    let fanIn = layer.inputRanges[k].count, fanOut = layer.outputWidths[k]
                    var stream = SeededRandom.stream(seed: seed, [0xB10C, UInt64(c), UInt64(l), UInt64(k)])
                    let weightInit: Initializer = isPredictor ? .xavierUniform(fanIn: fanIn, fanOut: fanOut) : .linearDefault(fanIn: fanIn)
                    var block = [Float](repeating: 0, count: fanIn * fanOut)
                    block.withUnsafeMutableBufferPointer { weightInit.fill($0, random: &stream) }
                    var bias = [Float](repeating: 0, count: fanOut)
                    bias.withUnsafeMutableBufferPointer { Initializer.linearDefault(fanIn: fanIn).fill($0, random: &stream) }
                    for o in 0..<fanOut {
                        let row = layer.weight.offset + (layer.outputOffsets[k] + o) * layer.inputs + layer.inputRanges[k].lowerBound
                        for i in 0..<fanIn { store.values[row + i] = block[o * fanIn + i] }
                        store.values[layer.bias.offset + layer.outputOffsets[k] + o] = bias[o]
                    }
                }
            }
        }
        store.values.withUnsafeMutableBufferPointer { v in
            for run in zeroRuns { for i in run { v[i] = 0 } }
        }
    }

    /// Zeroes the gradients of the block structure's fixed zeros (after summing a step's gradients).
    func maskGradients(_ store: inout ParameterStore) {
        store.gradients.withUnsafeMutableBufferPointer { g in
            for run in zeroRuns { for i in run { g[i] = 0 } }
        }
    }

    /// Sets predictor biases to the log of Laplace-smoothed (α = 1) code frequencies of `data`
    /// (the reference engine's empirical initialisation; speeds up the first epochs).
    func initializeOutputBiases(_ store: inout ParameterStore, from data: EncodedData) {
        guard data.rowCount > 0 else { return }
        let width = data.subColumnCount
        for column in columns {
            for k in 0..<column.subColumnCount {
                let j = column.firstSubColumn + k
                var counts = [Double](repeating: 1, count: cardinalities[j])
                for r in 0..<data.rowCount {
                    let code = Int(data.codes[r * width + j])
                    if code >= 0, code < counts.count { counts[code] += 1 }
                }
                let total = counts.reduce(0, +)
                let offset = column.predictor.bias.offset + column.predictor.outputOffsets[k]
                for (i, n) in counts.enumerated() { store.values[offset + i] = Float(Foundation.log(max(n / total, 1e-12))) }
            }
        }
    }
}

import Foundation
