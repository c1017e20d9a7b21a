import DoppelNN
import DoppelParallel

/// The network of one column: its regressor layers (ReLU after each) and the predictor layer
/// that produces the logits of all its sub-columns side by side.
struct ColumnNetwork: Sendable {
    let firstSubColumn: Int
    let subColumnCount: Int
    /// `[condition | context (all column embeddings, masked per sample) | this column's sub-column embeddings]`.
    let inputWidth: Int
    let regressor: [BlockLinear]
    let predictor: BlockLinear
    var layers: [BlockLinear] { regressor + [predictor] }
}

/// The parameter layout of a flat TabularARGN network (see docs/model.md for the picture):
///
/// ```
/// codes [B, S] ─► sub-column embeddings E [B, ΣD]  (one table per sub-column)
///             ─► column embeddings CE [B, ΣK]      (concatenation, or one Linear per wide column)
/// column c:   X_c = [cond | CE ⊙ precedes(c) per sample | E_c]  ─► Dropout ─► Linear ─► ReLU (…)
///             (cond: ``conditionWidth`` inputs shared by all columns; none in a flat model)
///             ─► predictor ─► logits of every sub-column of c, side by side
/// ```
/// Sub-column `k` of column `c` sees the column embeddings of the columns before `c` in the
/// sample's column order and the embeddings of sub-columns `0..<k` of `c` (a within-column mask
/// kept in the first layer's weights).
struct FlatNetwork: Sendable {
    let architecture: FlatModelArchitecture
    /// One table per sub-column, looked up together into `E`.
    let embeddings: EmbeddingSet
    var cardinalities: [Int] { embeddings.cardinalities }
    var embeddingDimensions: [Int] { embeddings.dimensions }
    /// Offset of sub-column `j`'s embedding inside a row of E.
    var embeddingOffsets: [Int] { embeddings.outputOffsets }
    var embeddingWidth: Int { embeddings.outputWidth }
    /// Column of each sub-column.
    let columnOfSubColumn: [Int]
    /// Per column: offset and width of its block in E.
    let ownOffsets: [Int]
    let ownWidths: [Int]
    /// Per column: offset and width of its column embedding in CE.
    let contextOffsets: [Int]
    let contextWidths: [Int]
    let contextWidth: Int
    /// Per column: the compressor `D → K` of its sub-column embeddings, or `nil` for plain concatenation.
    let compressors: [Linear?]
    let columns: [ColumnNetwork]
    /// Ranges of the flat parameter buffer that must stay zero (the block structure).
    let zeroRuns: [Range<Int>]
    let dropout: Float
    /// Width `K` of the condition inputs every column's first layer reads before the column
    /// embeddings (0 for a flat model; the sequential model's context and history vectors).
    let conditionWidth: Int

    var subColumnCount: Int { cardinalities.count }
    var columnCount: Int { columns.count }

    init(architecture: FlatModelArchitecture, store: inout ParameterStore, conditionWidth: Int = 0) {
        precondition(conditionWidth >= 0, "negative condition width")
        self.architecture = architecture
        self.conditionWidth = conditionWidth
        dropout = architecture.dropout
        let subs = architecture.columns.flatMap(\.subColumns)
        embeddings = EmbeddingSet(store: &store, name: "embedding", cardinalities: subs.map(\.cardinality),
                                  dimensions: subs.map(\.embeddingDimension))
        let offsets = embeddings.outputOffsets
        var columnOf: [Int] = []
        var ownOffsets: [Int] = [], ownWidths: [Int] = [], ctxOffsets: [Int] = [], ctxWidths: [Int] = []
        var compressors: [Linear?] = []
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
                compressors.append(Linear(store: &store, name: "column.\(c)", inputs: own, outputs: column.embeddingDimension))
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
            let inputWidth = conditionWidth + ctx + ownWidths[c]
            var layers: [BlockLinear] = []
            var inputRanges: [Range<Int>] = []
            var prefix = 0
            for sub in column.subColumns {
                // Head k reads the context and the embeddings of sub-columns 0..<k of its column.
                inputRanges.append(0 ..< conditionWidth + ctx + prefix)
                prefix += sub.embeddingDimension
            }
            var inputs = inputWidth
            let depth = column.subColumns.first?.regressorLayers.count ?? 0
            for l in 0...depth {
                let widths = l < depth ? column.subColumns.map { $0.regressorLayers[l] } : column.subColumns.map(\.cardinality)
                let name = l < depth ? "column.\(c).regressor.\(l)" : "column.\(c).predictor"
                let layer = BlockLinear(store: &store, name: name, inputs: inputs, outputWidths: widths, inputRanges: inputRanges)
                zeroRuns += layer.structuralZeros
                layers.append(layer)
                // The next layer is block-diagonal: head k reads only its own block of this output.
                inputRanges = widths.indices.map { layer.outputOffsets[$0] ..< layer.outputOffsets[$0] + widths[$0] }
                inputs = layer.outputs
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
