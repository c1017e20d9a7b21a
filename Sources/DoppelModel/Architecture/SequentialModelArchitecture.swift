import DoppelNN
/// Which target sub-columns carry the positional quantities of a sequential model (reference
/// engine §4.2, §5.5): `SIDX` (index of the event in its sequence), `SLEN` (the sequence length)
/// and `RIDX` (events remaining). Each quantity is one or more sub-columns (digits for long
/// sequences), all in the FIRST target column, which stays first in every column order.
public struct PositionalSubColumns: Codable, Sendable, Equatable {
    public var sidx: [Int]
    public var slen: [Int]
    public var ridx: [Int]

    public init(sidx: [Int], slen: [Int], ridx: [Int]) {
        self.sidx = sidx
        self.slen = slen
        self.ridx = ridx
    }

    /// Every positional sub-column.
    public var all: [Int] { sidx + slen + ridx }
}

/// The fully resolved network of a sequential model (saved in `model.json`, like
/// ``FlatModelArchitecture``): the column heads over the target columns, the context encoder and
/// the history LSTM (see ``SequentialNetwork`` and docs/model.md).
public struct SequentialModelArchitecture: Codable, Sendable, Equatable {
    public struct ContextSubColumn: Codable, Sendable, Equatable {
        public var name: String
        public var cardinality: Int
        public var embeddingDimension: Int
    }

    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var size: ModelSize
    /// The heads over the target columns (positional column first), conditioned on
    /// `contextWidth + historyWidth` inputs.
    public var target: FlatModelArchitecture
    public var positional: PositionalSubColumns
    /// Context sub-columns in order (empty for a key-only context).
    public var context: [ContextSubColumn]
    /// Width of the context vector (0 without context sub-columns).
    public var contextWidth: Int
    /// Hidden width of the history LSTM.
    public var historyWidth: Int

    /// Resolves the S / M / L heuristics (reference engine §5.1): the heads as for a flat model
    /// (their regressors' input widened by the condition), context vector `[2|8|32]·c(dim_in)`,
    /// history `[16|64|128]·c(dim_in · median length)` with one LSTM layer for every size.
    public static func resolve(target schema: ModelSchema, positional: PositionalSubColumns, context: ModelSchema?,
                               medianLength: Int, size: ModelSize) -> SequentialModelArchitecture {
        var heads = FlatModelArchitecture.resolve(schema: schema, size: size)
        let contextSubs = (context?.columns ?? []).flatMap { column in
            column.subColumns.map { sub in
                ContextSubColumn(name: "\(column.name)/\(sub.name)", cardinality: sub.cardinality,
                                 embeddingDimension: SizeHeuristics.embeddingDimension(cardinality: sub.cardinality, size: size))
            }
        }
        let contextInput = contextSubs.reduce(0) { $0 + $1.embeddingDimension }
        let factor = switch size { case .small: (2, 16); case .medium: (8, 64); case .large: (32, 128) }
        let contextWidth = contextSubs.isEmpty ? 0 : factor.0 * SizeHeuristics.c(contextInput)
        let historyInput = heads.columns.reduce(0) { $0 + $1.subColumns.reduce(0) { $0 + $1.embeddingDimension } }
        let historyWidth = factor.1 * SizeHeuristics.c(historyInput * max(1, medianLength))
        if size == .large {
            // L's first regressor layer depends on the input width, which the condition widens.
            let columnsWidth = heads.columns.reduce(0) { $0 + $1.embeddingDimension }
            for c in heads.columns.indices {
                let own = heads.columns[c].subColumns.reduce(0) { $0 + $1.embeddingDimension }
                for k in heads.columns[c].subColumns.indices {
                    heads.columns[c].subColumns[k].regressorLayers = SizeHeuristics.regressorLayers(
                        cardinality: heads.columns[c].subColumns[k].cardinality,
                        inputWidth: contextWidth + historyWidth + columnsWidth + own, size: size)
                }
            }
        }
        return SequentialModelArchitecture(formatVersion: currentFormatVersion, size: size, target: heads, positional: positional,
                                           context: contextSubs, contextWidth: contextWidth, historyWidth: historyWidth)
    }

    /// Target sub-columns left out of the history input: the length and the remaining count (the
    /// reference does the same; the index stays in).
    var historyExcluded: Set<Int> { Set(positional.slen + positional.ridx) }

    /// Checks the description for impossible values (used when loading a file).
    public func validate() throws(ModelError) {
        guard formatVersion == Self.currentFormatVersion else {
            throw .invalidSchema("sequential architecture format version \(formatVersion), this build reads \(Self.currentFormatVersion)")
        }
        try target.validate()
        let positionalColumn = target.columns[0].subColumns.count
        guard !positional.slen.isEmpty, !positional.ridx.isEmpty, positional.all.allSatisfy({ $0 >= 0 && $0 < positionalColumn }),
              Set(positional.all).count == positional.all.count else {
            throw .invalidSchema("positional sub-columns \(positional) must be distinct sub-columns of the first target column")
        }
        guard historyWidth > 0, historyWidth <= 1 << 14, contextWidth >= 0, contextWidth <= 1 << 14,
              (contextWidth == 0) == context.isEmpty else {
            throw .invalidSchema("history width \(historyWidth) or context width \(contextWidth) out of range")
        }
        for sub in context where sub.cardinality < 1 || sub.cardinality > 1 << 32 || sub.embeddingDimension < 1 || sub.embeddingDimension > 1 << 16 {
            throw .invalidSchema("context sub-column \(sub.name): cardinality \(sub.cardinality), width \(sub.embeddingDimension)")
        }
    }
}

extension SequentialModelArchitecture {
    /// Parameters a model of this architecture allocates, counted without allocating them.
    public var parameterCount: Int {
        var store = ParameterStore.layoutOnly()
        _ = SequentialNetwork(architecture: self, store: &store)
        return store.count
    }
}
