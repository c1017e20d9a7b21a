import DoppelParallel
@testable import DoppelModel

/// Small schemas and code matrices shared by the model tests.
enum Fixtures {
    /// A (card 3) | B (cards 2, 4) | C (card 5).
    static let tinySchema = ModelSchema(columns: [
        .init(name: "A", subColumns: [.init(name: "cat", cardinality: 3)]),
        .init(name: "B", subColumns: [.init(name: "nan", cardinality: 2), .init(name: "E1", cardinality: 4)]),
        .init(name: "C", subColumns: [.init(name: "cat", cardinality: 5)]),
    ])

    static func randomCodes(_ schema: ModelSchema, rows: Int, seed: UInt64) -> EncodedData {
        var random = SeededRandom(seed: seed)
        let cards = schema.cardinalities
        var codes: [Int32] = []
        for _ in 0..<rows { for c in cards { codes.append(Int32(random.uniform(below: c))) } }
        return try! EncodedData(rowCount: rows, subColumnCount: cards.count, codes: codes)
    }

    /// Two columns: A uniform over 0..<4, B = (A + 1) % 4 always (a noise-free dependency), plus a
    /// third column C independent with marginal (0.7, 0.2, 0.1).
    static let dependencySchema = ModelSchema(columns: [
        .init(name: "A", subColumns: [.init(name: "cat", cardinality: 4)]),
        .init(name: "B", subColumns: [.init(name: "cat", cardinality: 4)]),
        .init(name: "C", subColumns: [.init(name: "cat", cardinality: 3)]),
    ])

    static func dependencyData(rows: Int, seed: UInt64) -> EncodedData {
        var random = SeededRandom(seed: seed)
        var codes: [Int32] = []
        for _ in 0..<rows {
            let a = random.uniform(below: 4)
            let u = random.nextDouble()
            let c = u < 0.7 ? 0 : (u < 0.9 ? 1 : 2)
            codes += [Int32(a), Int32((a + 1) % 4), Int32(c)]
        }
        return try! EncodedData(rowCount: rows, subColumnCount: 3, codes: codes)
    }
}
