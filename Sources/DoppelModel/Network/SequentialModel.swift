import DoppelNN
import DoppelParallel

/// A sequential TabularARGN model: its resolved architecture and all parameters in one
/// ``ParameterStore`` (see ``SequentialNetwork`` and docs/model.md).
///
/// ```swift
/// var model = SequentialModel(architecture: architecture, seed: 1)
/// var random = SeededRandom(seed: 2)
/// let batch = SequenceBatch.make(from: data, subjects: Array(0..<64), maxSteps: 100,
///                                positional: architecture.positional, columns: 3, random: &random)
/// model.zeroGradients()
/// let losses = try model.accumulateGradients(batch, dropoutSeed: 7)
/// model.applyGradients(&optimizer)
/// ```
public struct SequentialModel: Sendable {
    public let architecture: SequentialModelArchitecture
    public internal(set) var store: ParameterStore
    let network: SequentialNetwork

    /// A freshly initialised model; the same seed gives the same weights, bit for bit.
    public init(architecture: SequentialModelArchitecture, seed: UInt64) {
        self.architecture = architecture
        var store = ParameterStore()
        network = SequentialNetwork(architecture: architecture, store: &store)
        network.heads.initialize(&store, seed: seed)
        self.store = store
    }

    /// Number of scalar parameters (including the fixed zeros of the heads' block layout).
    public var parameterCount: Int { store.count }

    public mutating func zeroGradients() { store.zeroGradients() }

    /// One optimiser step with the accumulated gradients (the heads' structural zeros stay zero).
    public mutating func applyGradients(_ optimizer: inout AdamW) {
        network.heads.maskGradients(&store)
        optimizer.update(&store)
    }

    /// Per target sub-column, the weighted cross-entropy of the batch summed over its event rows
    /// and divided by the number of subjects (a per-sequence loss), in evaluation mode.
    func loss(_ batch: SequenceBatch) throws(ModelError) -> [Double] {
        try check(batch)
        var dropout = Dropout.evaluation
        return try ModelError.mapping {
            try store.values.withUnsafeBufferPointer { v in
                try network.pass(values: v.baseAddress!, gradients: nil, batch: batch, dropout: &dropout,
                                 divisor: Float(max(batch.subjects, 1)))
            }
        }
    }

    /// Forward and backward pass in training mode: ADDS the gradient of the per-sequence loss to
    /// `store.gradients` and returns the loss per target sub-column.
    mutating func accumulateGradients(_ batch: SequenceBatch, dropoutSeed: UInt64?) throws(ModelError) -> [Double] {
        try check(batch)
        var dropout = Dropout(probability: architecture.target.dropout, random: dropoutSeed.map { SeededRandom(seed: $0) })
        let network = network
        return try ModelError.mapping {
            try store.withValuesAndGradients { v, g in
                try network.pass(values: v.baseAddress!, gradients: g.baseAddress!, batch: batch, dropout: &dropout,
                                 divisor: Float(max(batch.subjects, 1)))
            }
        }
    }

    private func check(_ batch: SequenceBatch) throws(ModelError) {
        let S = network.heads.subColumnCount, C = network.heads.columnCount
        guard batch.codes.count == batch.rows * S, batch.lossWeights.count == batch.rows * S, batch.ranks.count == batch.rows * C,
              batch.contextCodes.count == batch.subjects * architecture.context.count else {
            throw .shapeMismatch("sequence batch of \(batch.steps) steps × \(batch.subjects) subjects does not match the model's \(S) target sub-columns, \(C) columns and \(architecture.context.count) context sub-columns")
        }
    }

}
