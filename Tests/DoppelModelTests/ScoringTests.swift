import DoppelParallel
import Testing
@testable import DoppelModel

/// The scoring passes of a flat model agree with its loss.
@Suite struct ScoringTests {
    @Test func logLikelihoodsAreMinusTheLossInSchemaOrder() throws {
        let data = Fixtures.dependencyData(rows: 300, seed: 4)
        let model = FlatModel(architecture: .resolve(schema: Fixtures.dependencySchema, size: .small), seed: 2)
        let order = ColumnOrders(rows: data.rowCount, order: Array(0..<Fixtures.dependencySchema.columns.count))
        let loss = try model.loss(batch: data, orders: order).reduce(0, +)
        for workers in [1, 2] {
            let scores = try model.logLikelihoods(data, workers: workers)
            #expect(scores.count == 300)
            #expect(abs(scores.reduce(0, +) / 300 + loss) < 1e-9)
        }
    }

    @Test func probabilitiesAreDistributionsAndIgnoreTheTargetsCodes() throws {
        let data = Fixtures.dependencyData(rows: 50, seed: 5)
        let model = FlatModel(architecture: .resolve(schema: Fixtures.dependencySchema, size: .small), seed: 3)
        let card = Fixtures.dependencySchema.columns[1].subColumns[0].cardinality
        let p = try model.probabilities(of: 1, given: data)
        #expect(p.count == 50 * card)
        for r in 0..<50 { #expect(abs(p[r * card ..< (r + 1) * card].reduce(0, +) - 1) < 1e-5) }
        // The target's own codes are not read: other values there give the same probabilities.
        var changed = data.codes
        let S = data.subColumnCount, j = model.network.columns[1].firstSubColumn
        for r in 0..<50 { changed[r * S + j] = 0 }
        #expect(try model.probabilities(of: 1, given: EncodedData(rowCount: 50, subColumnCount: S, codes: changed)) == p)
    }
}
