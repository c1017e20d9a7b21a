import Foundation
import Testing
@testable import DoppelModel

@Suite struct ArchitectureTests {
    @Test func mediumHeuristicsMatchTheReferenceExamples() {
        let schema = ModelSchema(columns: [2, 10, 100, 1000].enumerated().map { i, card in
            .init(name: "c\(i)", subColumns: [.init(name: "cat", cardinality: card)])
        })
        let architecture = FlatModelArchitecture.resolve(schema: schema, size: .medium)
        let subs = architecture.columns.map { $0.subColumns[0] }
        #expect(subs.map(\.embeddingDimension) == [2, 10, 12, 18])
        #expect(subs.map(\.regressorLayers) == [[16], [32], [80], [112]])
        #expect(architecture.columns.allSatisfy { !$0.compressed })
        #expect(architecture.dropout == 0.25)
    }

    @Test func smallAndLargeLayers() {
        let schema = ModelSchema(columns: [.init(name: "a", subColumns: [.init(name: "cat", cardinality: 10)])])
        #expect(FlatModelArchitecture.resolve(schema: schema, size: .small).columns[0].subColumns[0].regressorLayers == [8])
        let large = FlatModelArchitecture.resolve(schema: schema, size: .large).columns[0].subColumns[0]
        #expect(large.regressorLayers.count == 2 && large.regressorLayers[1] == 32)
    }

    @Test func columnCompressorOnlyForWideModels() {
        // 18 columns × 3 sub-columns = 54 > 50: three-sub-column columns get a compressor of 10 + 3.
        let wide = ModelSchema(columns: (0..<18).map { i in
            .init(name: "n\(i)", subColumns: (0..<3).map { .init(name: "E\($0)", cardinality: 10) })
        })
        let architecture = FlatModelArchitecture.resolve(schema: wide, size: .medium)
        #expect(architecture.columns.allSatisfy { $0.compressed && $0.embeddingDimension == 13 })
        let narrow = FlatModelArchitecture.resolve(schema: Fixtures.tinySchema, size: .medium)
        #expect(narrow.columns.allSatisfy { !$0.compressed })
    }

    @Test func jsonRoundTripAndSchema() throws {
        let architecture = FlatModelArchitecture.resolve(schema: Fixtures.tinySchema, size: .large)
        let data = try JSONEncoder().encode(architecture)
        let decoded = try JSONDecoder().decode(FlatModelArchitecture.self, from: data)
        #expect(decoded == architecture)
        #expect(decoded.schema == Fixtures.tinySchema)
        try decoded.validate()
    }

    @Test func invalidSchemasAreRejected() {
        #expect(throws: ModelError.self) { try ModelSchema(columns: []).validate() }
        #expect(throws: ModelError.self) {
            try ModelSchema(columns: [.init(name: "a", subColumns: [.init(name: "cat", cardinality: 0)])]).validate()
        }
        let bad = try? EncodedData(rowCount: 1, subColumnCount: 4, codes: [0, 0, 9, 0])
        #expect(throws: ModelError.self) { try bad?.validate(against: Fixtures.tinySchema) }
    }
}
