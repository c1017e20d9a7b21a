import DoppelNN
import DoppelParallel

/// A flat TabularARGN model: its resolved architecture and all parameters in one
/// ``ParameterStore`` (see docs/model.md for the network).
///
/// ```swift
/// var model = FlatModel(architecture: .resolve(schema: schema, size: .medium), seed: 1)
/// let orders = ColumnOrders.random(rows: batch.rowCount, columns: schema.columns.count, random: &rng)
/// model.zeroGradients()
/// let losses = try model.accumulateGradients(batch: batch, orders: orders, dropoutSeed: 7)
/// model.applyGradients(&optimizer)   // AdamW step; the block layout's zeros stay zero
/// ```
/// ``Trainer`` runs the whole loop (data-parallel shards, schedules, checkpoints).
public struct FlatModel: Sendable {
    public let architecture: FlatModelArchitecture
    /// Parameters and gradients (one flat buffer each).
    public internal(set) var store: ParameterStore
    let network: FlatNetwork

    /// A freshly initialised model; the same seed gives the same weights, bit for bit.
    public init(architecture: FlatModelArchitecture, seed: UInt64) {
        self.architecture = architecture
        var store = ParameterStore()
        network = FlatNetwork(architecture: architecture, store: &store)
        network.initialize(&store, seed: seed)
        self.store = store
    }

    /// The network's layout on a store that holds no values (``ParameterStore/layoutOnly()``):
    /// a template whose store the training loop swaps in, and a parameter count before any memory.
    init(layoutOf architecture: FlatModelArchitecture) {
        self.architecture = architecture
        var store = ParameterStore.layoutOnly()
        network = FlatNetwork(architecture: architecture, store: &store)
        self.store = store
    }

    /// Number of scalar parameters (including the fixed zeros of the block layout).
    public var parameterCount: Int { store.count }
    /// Parameters that can change (``parameterCount`` minus the structural zeros of the block layout).
    public var effectiveParameterCount: Int { store.count - network.zeroRuns.reduce(0) { $0 + $1.count } }
    public var schema: ModelSchema { architecture.schema }

    /// Sets the output biases to the log code frequencies of `data` (done once before training).
    public mutating func initializeOutputBiases(from data: EncodedData) {
        network.initializeOutputBiases(&store, from: data)
    }

    /// Sets every gradient to zero (before ``accumulateGradients(batch:orders:dropoutSeed:)``).
    public mutating func zeroGradients() { store.zeroGradients() }

    /// One optimiser step with the accumulated gradients; the structural zeros of the block
    /// layout get zero gradients first, so they stay zero.
    public mutating func applyGradients(_ optimizer: inout AdamW) {
        network.maskGradients(&store)
        optimizer.update(&store)
    }

    /// Replaces all weights (same count as ``parameterCount``).
    mutating func setWeights(_ values: [Float]) {
        precondition(values.count == store.values.count, "weight count mismatch")
        store.values = values
    }

    /// Mean cross-entropy per sub-column over the rows of `batch` in evaluation mode (no dropout).
    public func loss(batch: EncodedData, orders: ColumnOrders) throws(ModelError) -> [Double] {
        try check(batch, orders)
        guard batch.rowCount > 0 else { return [Double](repeating: 0, count: network.subColumnCount) }
        var dropout = Dropout.evaluation
        return try ModelError.mapping { () throws -> [Double] in
            try store.values.withUnsafeBufferPointer { v throws in
                try batch.codes.withUnsafeBufferPointer { codes throws in
                    try orders.ranks.withUnsafeBufferPointer { ranks throws in
                        try network.pass(values: v.baseAddress!, gradients: nil, codes: codes.baseAddress!, ranks: ranks.baseAddress!,
                                         rows: batch.rowCount, dropout: &dropout, divisor: Float(max(batch.rowCount, 1)))
                    }
                }
            }
        }
    }

    /// Forward and backward pass in training mode on `batch`: ADDS the gradient of the batch-mean
    /// loss (sum over sub-columns of the cross-entropy) to `store.gradients` and returns the
    /// loss per sub-column. `dropoutSeed` seeds the dropout masks (`nil`: no dropout).
    public mutating func accumulateGradients(batch: EncodedData, orders: ColumnOrders,
                                             dropoutSeed: UInt64?) throws(ModelError) -> [Double] {
        try check(batch, orders)
        guard batch.rowCount > 0 else { return [Double](repeating: 0, count: network.subColumnCount) }
        return try shardPass(codes: batch.codes, ranks: orders.ranks, rows: batch.rowCount, divisor: Float(batch.rowCount),
                             dropoutRandom: dropoutSeed.map { SeededRandom(seed: $0) })
    }

    /// The training step's work: `shards` fixed slices of the batch, run on up to `workers`
    /// threads; slice 0 writes its gradient straight into `store.gradients`, the others into
    /// their own buffers of `scratch`, which are then added in slice order. The result depends on
    /// `shards`, never on `workers` or scheduling. OVERWRITES `store.gradients` with the
    /// batch-mean gradient and returns the loss per sub-column.
    mutating func shardedGradients(codes: [Int32], ranks: [Int32], rows: Int, shards: Int, workers: Int, group: any ProcessGroup = SingleProcess(),
                                   seed: UInt64, path: [UInt64], scratch: ShardScratch) throws(ModelError) -> [Double] {
        let S = network.subColumnCount, C = network.columnCount
        let count = max(1, min(shards, rows))
        let network = network, dropoutRate = architecture.dropout
        return try ShardedGradients.run(store: &store, shards: count, workers: workers, group: group, scratch: scratch, lossCount: S) { shard, values, target in
            let lo = rows * shard / count, hi = rows * (shard + 1) / count
            var dropout = Dropout(probability: dropoutRate, random: SeededRandom.stream(seed: seed, path + [UInt64(shard)]))
            return codes.withUnsafeBufferPointer { c in
                ranks.withUnsafeBufferPointer { r in
                    Result { () throws(NNError) -> [Double] in
                        try network.pass(values: values, gradients: target, codes: c.baseAddress! + lo * S,
                                         ranks: r.baseAddress! + lo * C, rows: hi - lo, dropout: &dropout, divisor: Float(rows))
                    }
                }
            }
        }
    }

    private mutating func shardPass(codes: [Int32], ranks: [Int32], rows: Int, divisor: Float,
                                    dropoutRandom: SeededRandom?) throws(ModelError) -> [Double] {
        guard rows > 0 else { return [Double](repeating: 0, count: network.subColumnCount) }
        var dropout = Dropout(probability: architecture.dropout, random: dropoutRandom)
        let network = network
        return try ModelError.mapping { () throws -> [Double] in
            try store.withValuesAndGradients { v, g throws in
                try codes.withUnsafeBufferPointer { c throws in
                    try ranks.withUnsafeBufferPointer { r throws in
                        try network.pass(values: v.baseAddress!, gradients: g.baseAddress!, codes: c.baseAddress!, ranks: r.baseAddress!,
                                         rows: rows, dropout: &dropout, divisor: divisor)
                    }
                }
            }
        }
    }

    private func check(_ batch: EncodedData, _ orders: ColumnOrders) throws(ModelError) {
        guard batch.subColumnCount == network.subColumnCount else {
            throw .shapeMismatch("batch has \(batch.subColumnCount) sub-columns, the model \(network.subColumnCount)")
        }
        guard orders.rowCount == batch.rowCount, orders.columnCount == network.columnCount else {
            throw .shapeMismatch("column orders for \(orders.rowCount) rows × \(orders.columnCount) columns, batch \(batch.rowCount) rows × \(network.columnCount) columns")
        }
    }

}
