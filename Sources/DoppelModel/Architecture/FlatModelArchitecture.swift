import DoppelNN
/// The fully resolved network of a flat model: every layer width per column and sub-column.
///
/// Saved in `model.json`; rebuilding a model from it reproduces the same parameter layout, so
/// the size heuristics may change later without breaking saved models.
public struct FlatModelArchitecture: Codable, Sendable, Equatable {
    public struct SubColumn: Codable, Sendable, Equatable {
        public var name: String
        public var cardinality: Int
        public var embeddingDimension: Int
        /// Hidden widths of the regressor MLP (ReLU after every layer).
        public var regressorLayers: [Int]
    }

    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        public var subColumns: [SubColumn]
        /// Width of the column embedding; equals the summed sub-column embedding widths when
        /// `compressed` is false (plain concatenation).
        public var embeddingDimension: Int
        /// Whether one linear layer compresses the concatenated sub-column embeddings.
        public var compressed: Bool
    }

    /// The format version of this description (bumped when the meaning of a field changes).
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var size: ModelSize
    public var dropout: Float
    public var columns: [Column]

    /// Resolves the S / M / L heuristics for `schema` (see docs/model.md).
    public static func resolve(schema: ModelSchema, size: ModelSize) -> FlatModelArchitecture {
        let total = schema.subColumnCount
        var columns: [Column] = []
        for column in schema.columns {
            let dims = column.subColumns.map { SizeHeuristics.embeddingDimension(cardinality: $0.cardinality, size: size) }
            let width = dims.reduce(0, +)
            let compressed = SizeHeuristics.columnEmbeddingDimension(
                subColumns: column.subColumns.count, totalSubColumns: total, concatenatedWidth: width, size: size)
            columns.append(Column(name: column.name, subColumns: zip(column.subColumns, dims).map { sub, dim in
                SubColumn(name: sub.name, cardinality: sub.cardinality, embeddingDimension: dim, regressorLayers: [])
            }, embeddingDimension: compressed ?? width, compressed: compressed != nil))
        }
        let contextWidth = columns.reduce(0) { $0 + $1.embeddingDimension }
        for c in columns.indices {
            let ownWidth = columns[c].subColumns.reduce(0) { $0 + $1.embeddingDimension }
            for k in columns[c].subColumns.indices {
                columns[c].subColumns[k].regressorLayers = SizeHeuristics.regressorLayers(
                    cardinality: columns[c].subColumns[k].cardinality, inputWidth: contextWidth + ownWidth, size: size)
            }
        }
        return FlatModelArchitecture(formatVersion: currentFormatVersion, size: size, dropout: 0.25, columns: columns)
    }

    /// The schema this architecture was resolved for.
    public var schema: ModelSchema {
        ModelSchema(columns: columns.map { c in
            ModelSchema.Column(name: c.name, subColumns: c.subColumns.map { .init(name: $0.name, cardinality: $0.cardinality) })
        })
    }

    /// Checks the description for impossible values (used when loading a file).
    public func validate() throws(ModelError) {
        guard formatVersion == Self.currentFormatVersion else {
            throw .invalidSchema("architecture format version \(formatVersion), this build reads \(Self.currentFormatVersion)")
        }
        guard dropout >= 0, dropout < 1 else { throw .invalidSchema("dropout \(dropout) outside [0, 1)") }
        try schema.validate()
        let layerCount = columns.first?.subColumns.first?.regressorLayers.count ?? 0
        for column in columns {
            let width = column.subColumns.reduce(0) { $0 + $1.embeddingDimension }
            guard column.embeddingDimension > 0, column.compressed || column.embeddingDimension == width else {
                throw .invalidSchema("column \(column.name): embedding width \(column.embeddingDimension) for \(width) inputs")
            }
            for sub in column.subColumns {
                guard sub.cardinality <= 1 << 32, sub.embeddingDimension > 0, sub.embeddingDimension <= 1 << 16,
                      sub.regressorLayers.count == layerCount, layerCount > 0,
                      sub.regressorLayers.allSatisfy({ $0 > 0 && $0 <= 1 << 16 }) else {
                    throw .invalidSchema("sub-column \(column.name)/\(sub.name): invalid layer widths")
                }
            }
        }
    }
}

extension FlatModelArchitecture {
    /// Parameters a model of this architecture allocates, counted on a layout-only store (no
    /// memory), so a model too large for the machine can be refused before it is built.
    public var parameterCount: Int { FlatModel(layoutOf: self).parameterCount }
}
