import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelEncoding

@Suite struct CharacterTests {
    @Test func roundTripWithUnicodeAndMissing() throws {
        let base = ["AB-12", "AB-7 ", "Zürich", "日本", ""]
        let values: [String?] = (0..<60).map { $0 % 11 == 0 ? nil : base[$0 % base.count] }
        let column = Column.string(values)
        let stats = try CharacterPartial(column: column, subjects: .rows(first: 0), name: "c").finalize(FinalizeContext(seed: 1, column: "c"))
        #expect(stats.subColumns.first == SubColumnSpec("nan", 2))
        #expect(stats.characters.count == 6)
        var random = SeededRandom(seed: 1)
        let back = try stats.decode(try stats.encode(column, name: "c", random: &random), name: "c")
        for row in 0..<column.count { #expect(back.value(at: row) == column.value(at: row)) }
    }

    @Test func rareCharactersAndLongTailsAreProtected() throws {
        var values: [String?] = (0..<40).map { _ in "abc" }
        values += ["abcXsecret-suffix-held-by-one"]
        let stats = try CharacterPartial(column: .string(values), subjects: .rows(first: 0), name: "c").finalize(FinalizeContext(seed: 2, column: "c"))
        #expect(stats.characters == [["a"], ["b"], ["c"]])
        #expect(!stats.characters.joined().contains("X"))
    }

    @Test func cutsAt50CharactersAndHandlesEmptyInput() throws {
        let long = String(repeating: "x", count: 80)
        let p = try CharacterPartial(column: .string([long]), subjects: .rows(first: 0), name: "c")
        #expect(p.maxLength == 50)
        let empty = try CharacterPartial(column: .string([]), subjects: .rows(first: 0), name: "c").finalize(FinalizeContext(seed: 1, column: "c"))
        #expect(empty.subColumns == [SubColumnSpec("P0", 1)])
        #expect(throws: EncodingError.self) { _ = try CharacterPartial(column: .int64([1]), subjects: .rows(first: 0), name: "c") }
    }
}

@Suite struct LatLongTests {
    @Test func quadtileMatchesTheReferenceScheme() {
        let tile = String(decoding: Quadtile.encode(lat: 0.00003, long: -0.00001), as: UTF8.self)
        // lat 3 = ...011, long 1 = ...001 → last symbols B(1,0)? bits: lat 0,1,1 / long 0,0,1 → A, B, D.
        #expect(tile.hasPrefix("+-") && tile.hasSuffix("ABD") && tile.count == 30)
        #expect(Quadtile.format(lat: -33.868820, long: 151.209296) == "-33.86882, 151.20930")
    }

    @Test func packedCellsMatchTheTextPrefixes() {
        let tile = Quadtile.tile(lat: -33.86882, long: 151.20930)
        let text = String(decoding: Quadtile.encode(lat: -33.86882, long: 151.20930), as: UTF8.self)
        for n in Quadtile.quadLevels {
            let cell = tile.cell(symbols: n)
            #expect(Quadtile.cellText(cell, symbols: n) == String(text.prefix(n + 2)))
            #expect(Quadtile.cell(String(text.prefix(n + 2)), symbols: n) == cell)
        }
    }

    @Test func roundTripAtFiveDecimals() throws {
        var random = SeededRandom(seed: 3)
        let values: [String?] = (0..<200).map { i in
            if i % 25 == 0 { return nil }
            if i % 31 == 0 { return "not a position" }
            let lat = Double(random.uniform(below: 1_800_000)) / 10_000 - 90, long = Double(random.uniform(below: 3_600_000)) / 10_000 - 180
            return Quadtile.format(lat: lat, long: long)
        }
        let column = Column.string(values)
        let partial = try LatLongPartial(column: column, subjects: .rows(first: 0), name: "g")
        #expect(partial.unparsed == 6)
        let stats = partial.finalize(FinalizeContext(seed: 1, column: "g", protection: .off))
        #expect(stats.subColumns.last == SubColumnSpec("nan", 2))
        let back = try stats.decode(try stats.encode(column, name: "g", random: &random), name: "g")
        for row in 0..<column.count {
            guard let v = column.value(at: row), case .string(let s) = v, s != "not a position" else { #expect(back.value(at: row) == nil); continue }
            #expect(back.value(at: row) == v)
        }
    }

    @Test func sparseCellsAreDroppedEvenWithoutProtection() throws {
        // 20 towns with 50 subjects each, 3 subjects far away: only the towns' cells may be kept.
        let values: [String?] = (0..<1000).map { Quadtile.format(lat: 30 + Double($0 % 20), long: 8.54) } + ["-45.0, 170.0", "-45.0, 170.0", "-45.0, 170.0"]
        let stats = try LatLongPartial(column: .string(values), subjects: .rows(first: 0), name: "g").finalize(FinalizeContext(seed: 1, column: "g", protection: .off))
        #expect(stats.quads.count == Quadtile.quadLevels.count)
        for level in stats.quads { #expect(level.cells.count == 20 && level.cells.allSatisfy { $0.hasPrefix("++") }) }
    }

    @Test func emptyAllMissingAndWrongType() throws {
        var random = SeededRandom(seed: 4)
        for column in [Column.string([]), .string([nil, "garbage", nil])] {
            let stats = try LatLongPartial(column: column, subjects: .rows(first: 0), name: "g").finalize(FinalizeContext(seed: 1, column: "g"))
            #expect(stats.quads.isEmpty)
            let back = try stats.decode(try stats.encode(column, name: "g", random: &random), name: "g")
            #expect(back.count == column.count && back.nullCount == column.count)
        }
        #expect(throws: EncodingError.self) { _ = try LatLongPartial(column: .float64([1]), subjects: .rows(first: 0), name: "g") }
    }
}
