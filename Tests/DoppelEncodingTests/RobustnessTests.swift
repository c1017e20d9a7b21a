import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelEncoding

@Suite struct RobustnessTests {
    /// Random byte strings (invalid UTF-8, digits, separators) go through every encoding that
    /// accepts text without trapping, and codes stay within their cardinalities.
    @Test func randomTextThroughEveryTextEncoding() throws {
        var random = SeededRandom(seed: 99)
        let alphabet = Array("0123456789-:., T+eE".utf8) + [0xFF, 0xC3, 0x00, 0x80]
        var builder = StringArrayBuilder()
        var bits = BitmapBuilder()
        for _ in 0..<400 {
            let bytes = (0..<random.uniform(below: 24)).map { _ in alphabet[random.uniform(below: alphabet.count)] }
            bytes.withUnsafeBufferPointer { builder.append(utf8: $0) }
            bits.append(random.uniform(below: 10) != 0)
        }
        let column = Column.string(StringColumn(storage: .plain(builder.finish()), validity: bits.finish()))
        let subjects = SubjectIDs.keys(Buffer((0..<400).map { Int64($0 / 3) }))
        for type in [EncodingType.categorical, .numericAuto, .numericDigit, .numericBinned, .numericDiscrete, .datetime, .datetimeRelative, .character, .latLong] {
            for protection in [ValueProtection.on, .off, ValueProtection(dpEpsilon: 1)] {
                let stats = try PartialStats.analyze(column, as: type, subjects: subjects, name: "r").finalize(FinalizeContext(seed: 1, column: "r", protection: protection))
                let codes = try stats.encode(column, subjects: subjects, name: "r", random: &random)
                for sub in codes.subColumns { #expect(sub.codes.array.allSatisfy { $0 >= 0 && $0 < sub.spec.cardinality }, "\(type) \(sub.name)") }
                let back = try stats.decode(codes, subjects: subjects, name: "r", random: &random)
                #expect(back.count == column.count)
            }
        }
    }

    @Test func codesOutsideTheCardinalityAreRejected() throws {
        let stats = try PartialStats.analyze(.string(["a", "b"]), as: .categorical, subjects: .rows(first: 0), name: "c")
            .finalize(FinalizeContext(seed: 1, column: "c", protection: .off))
        let bad = EncodedColumn(rowCount: 1, subColumns: [SubColumn(spec: SubColumnSpec("cat", 3), codes: Buffer([7]))])
        var random = SeededRandom(seed: 1)
        #expect(throws: EncodingError.self) { _ = try stats.decode(bad, subjects: .rows(first: 0), name: "c", random: &random) }
        let missing = EncodedColumn(rowCount: 1, subColumns: [])
        #expect(throws: EncodingError.self) { _ = try stats.decode(missing, subjects: .rows(first: 0), name: "c", random: &random) }
    }
}
