import DoppelModel
import DoppelParallel

/// A census-like schema (15 columns, 70 sub-columns, cardinalities 2…100) and random but
/// correlated codes: each row has a latent class; every sub-column takes a class-dependent code
/// with probability 0.7, else a uniform one.
enum SyntheticCensus {
    static let schema: ModelSchema = {
        let categorical = [("workclass", 9), ("education", 16), ("marital", 7), ("occupation", 15), ("relationship", 6),
                           ("race", 5), ("sex", 2), ("country", 42), ("income", 100)]
        var columns = categorical.map { ModelSchema.Column(name: $0.0, subColumns: [.init(name: "cat", cardinality: $0.1)]) }
        for (name, digits) in [("age", 10), ("fnlwgt", 10), ("education_num", 9), ("capital_gain", 9), ("capital_loss", 9), ("hours", 8)] {
            columns.append(.init(name: name, subColumns: [.init(name: "nan", cardinality: 2)]
                + (0..<digits).reversed().map { .init(name: "E\($0)", cardinality: 10) }))
        }
        return ModelSchema(columns: columns)
    }()

    /// A smaller schema for quick runs: the first categorical columns and one number.
    static let smallSchema = ModelSchema(columns: Array(schema.columns.prefix(4)) + [schema.columns[9]])

    static func codes(rows: Int, seed: UInt64, schema: ModelSchema = schema) -> EncodedData {
        var random = SeededRandom(seed: seed)
        let cards = schema.cardinalities
        var codes = [Int32](repeating: 0, count: rows * cards.count)
        for r in 0..<rows {
            let latent = random.uniform(below: 12)
            for (j, card) in cards.enumerated() {
                let code = random.nextDouble() < 0.7 ? (latent * (j + 3) * 7 + j) % card : random.uniform(below: card)
                codes[r * cards.count + j] = Int32(code)
            }
        }
        return try! EncodedData(rowCount: rows, subColumnCount: cards.count, codes: codes)
    }
}
