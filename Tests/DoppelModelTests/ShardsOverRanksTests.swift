import DoppelNN
import DoppelParallel
import DoppelTestSupport
import Foundation
import Testing
@testable import DoppelModel

/// A training step's gradient on ranks (threads standing in for MPI processes) equals the
/// one-process gradient bit for bit: each rank runs its block of the shards and the tree
/// allreduce finishes the shards' tree.
@Suite struct ShardsOverRanksTests {
    static let schema = ModelSchema(columns: (0..<6).map { c in
        ModelSchema.Column(name: "c\(c)", subColumns: [.init(name: "cat", cardinality: 5 + 7 * c)])
    })

    /// The gradient and loss of one batch with `shards` shards, in `group`.
    static func step(shards: Int, group: any ProcessGroup) throws -> (gradients: [Float], loss: Double) {
        let architecture = FlatModelArchitecture.resolve(schema: schema, size: .small)
        var model = FlatModel(architecture: architecture, seed: 4)
        let data = Fixtures.randomCodes(schema, rows: 96, seed: 5)
        var random = SeededRandom(seed: 6)
        let orders = ColumnOrders.random(rows: 96, columns: 6, random: &random)
        let losses = try model.shardedGradients(codes: data.codes, ranks: orders.ranks, rows: 96, shards: shards, workers: 1, group: group,
                                                seed: 7, path: [4, 0, 0], scratch: ShardScratch())
        return (model.store.gradients, losses.reduce(0, +))
    }

    @Test(arguments: [(2, 4), (4, 4), (2, 8), (4, 8)]) func ranksGiveTheOneProcessGradient(ranks: Int, shards: Int) throws {
        let one = try Self.step(shards: shards, group: SingleProcess())
        let results = try ThreadProcessGroup(size: ranks).run { member in try Self.step(shards: shards, group: member) }
        for (rank, result) in results.enumerated() {
            #expect(result.gradients.map(\.bitPattern) == one.gradients.map(\.bitPattern), "rank \(rank) of \(ranks), \(shards) shards")
            #expect(result.loss == one.loss)
        }
    }

    @Test func theShardCountChangesTheBits() throws {
        // Otherwise the test above could not tell a wrong summation order.
        let four = try Self.step(shards: 4, group: SingleProcess()), eight = try Self.step(shards: 8, group: SingleProcess())
        #expect(four.gradients.map(\.bitPattern) != eight.gradients.map(\.bitPattern))
    }
}
