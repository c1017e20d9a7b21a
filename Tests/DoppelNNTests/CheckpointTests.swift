import DoppelParallel
import Testing
@testable import DoppelNN

@Suite struct CheckpointTests {
    static func model(hidden: Int = 5) -> ParameterStore {
        var store = ParameterStore()
        _ = Linear(store: &store, name: "fc1", inputs: 3, outputs: hidden)
        _ = EmbeddingSet(store: &store, name: "emb", cardinalities: [4], dimensions: [2], frozen: [0])
        return store
    }

    @Test func weightsRoundTripIntoARebuiltModel() throws {
        var rng = SeededRandom(seed: 1)
        var trained = Self.model()
        trained.initialize(using: &rng)
        let bytes = trained.serializedValues()
        var rebuilt = Self.model()
        #expect(rebuilt.values != trained.values)
        try rebuilt.loadValues(from: bytes)
        #expect(rebuilt.values == trained.values)
        #expect(bytes.count > 4 * trained.count)
    }

    @Test func mismatchedOrCorruptBlobsAreRejected() throws {
        let bytes = Self.model().serializedValues()
        var other = Self.model(hidden: 6)
        #expect(throws: CheckpointError.self) { try other.loadValues(from: bytes) }
        var same = Self.model()
        // The value count is read, then fewer bytes than it announces are left.
        #expect(throws: CheckpointError.truncated(offset: bytes.count - 4 * same.count)) {
            try same.loadValues(from: Array(bytes.dropLast(7)))
        }
        #expect(throws: CheckpointError.notACheckpoint(expected: "weights")) { try same.loadValues(from: [1, 2, 3]) }
        #expect(throws: CheckpointError.self) { try same.loadValues(from: bytes + [0]) }
    }

    @Test func optimiserStateRoundTrips() throws {
        var store = Self.model()
        var rng = SeededRandom(seed: 2)
        store.initialize(using: &rng)
        var adam = AdamW(store: store, learningRate: 0.02, settings: .init(beta1: 0.8, weightDecay: 0.05))
        for i in 0..<store.count { store.gradients[i] = Float(i % 7) - 3 }
        adam.update(&store)
        adam.update(&store)
        let restored = try AdamW.State(serialized: adam.state.serialized())
        #expect(restored == adam.state)
        #expect(throws: CheckpointError.self) { try AdamW.State(serialized: Array(adam.state.serialized().dropLast(1))) }
    }
}
