import DoppelParallel
import DoppelTable

/// Constants of the lat/long encoding (reference engine).
public enum LatLongConstants {
    /// Quad cells need 20 subjects + U{0,1,2} (always, even without value protection).
    public static let rareThreshold = 20
    /// At most this many codes per quad sub-column (`_RARE_` included).
    public static let maxQuadValues = 10_000
    /// A quad sub-column with fewer non-rare cells is dropped.
    public static let minQuadValues = 5
}

/// Partial statistics of a lat/long column: subjects per quad cell at each level and subjects per
/// character at each quadtile position.
public struct LatLongPartial: Codable, Sendable, Equatable {
    public var rows: Int
    public var nulls: Int
    /// Non-empty text that is not a valid `"lat, long"`.
    public var unparsed: Int
    /// Per level of ``Quadtile/quadLevels``: subjects per cell (quadtile prefix, packed as in
    /// ``Quadtile/Tile/cell(symbols:)``).
    public var quads: [[UInt64: SubjectCount]]
    /// Per quadtile position, per character of ``alphabet``: subjects holding it.
    public var characters: [[SubjectCount]]

    /// The characters of quadtiles: two signs and four symbols.
    static let alphabet: [UInt8] = Array("+-ABCD".utf8)
    static func slot(_ character: UInt8) -> Int {
        switch character {
        case UInt8(ascii: "+"): 0
        case UInt8(ascii: "-"): 1
        default: Int(character - UInt8(ascii: "A")) + 2
        }
    }

    public init(column: Column, subjects: SubjectIDs, name: String) throws(EncodingError) {
        try subjects.validate(rowCount: column.count, column: name)
        let contiguous = subjects.runsAreContiguous(rowCount: column.count)
        guard case .string(let c) = column else { throw EncodingError(column: name, "a \(column.type) column cannot use the lat/long encoding (expected \"lat, long\" text)") }
        rows = c.count
        var nulls = 0, unparsed = 0
        var counters = Quadtile.quadLevels.map { _ in SubjectCounter<UInt64>(rowLevel: subjects.isRowLevel, contiguous: contiguous) }
        // Distinct subjects per (position, character), key = position · 6 + character slot.
        var characters = IndexedSubjectCounter(keyCount: Quadtile.length * Self.alphabet.count, rowLevel: subjects.isRowLevel, contiguous: contiguous)
        for row in 0..<c.count {
            guard c.isValid(row) else { nulls += 1; continue }
            let bytes = c.utf8(row)
            guard let (lat, long) = Quadtile.parse(bytes) else { nulls += 1; if bytes.count > 0 { unparsed += 1 }; continue }
            let tile = Quadtile.tile(lat: lat, long: long)
            let subject = subjects.id(row)
            for i in 0..<Quadtile.length { characters.add(i * Self.alphabet.count + Self.slot(tile.character(i)), subject: subject) }
            for (level, n) in Quadtile.quadLevels.enumerated() { counters[level].add(tile.cell(symbols: n), subject: subject) }
        }
        self.nulls = nulls
        self.unparsed = unparsed
        quads = counters.map(\.counts)
        self.characters = (0..<Quadtile.length).map { i in Array(characters.counts[(i * Self.alphabet.count)..<((i + 1) * Self.alphabet.count)]) }
    }

    public mutating func merge(_ other: LatLongPartial) {
        rows += other.rows
        nulls += other.nulls
        unparsed += other.unparsed
        for i in quads.indices { mergeCounts(&quads[i], other.quads[i]) }
        for i in characters.indices { for k in characters[i].indices { characters[i][k].merge(other.characters[i][k]) } }
    }

    /// Keeps quad cells held by at least 20–22 subjects (DP: noisy count ≥ 20, ε split over the
    /// levels), at most 9,999 per level by subject count; drops levels with fewer than 5 cells.
    /// This protection always applies: quad cells locate subjects. Quadtile characters held by
    /// fewer than 5–7 subjects are dropped per position (with value protection). With DP, half of
    /// ε goes to the quad levels, half to the character positions.
    public func finalize(_ context: FinalizeContext) -> LatLongStats {
        var random = context.random("latlong")
        let epsilon = context.protection.activeEpsilon.map { $0 / 2 / Double(Quadtile.quadLevels.count) }
        let characterEpsilon = context.protection.activeEpsilon.map { $0 / 2 / Double(Quadtile.length) }
        var levels: [LatLongStats.QuadLevel] = []
        for (level, n) in Quadtile.quadLevels.enumerated() {
            let counts = quads[level]
            let sorted = counts.keys.sorted()
            var kept: [UInt64]
            if let epsilon {
                kept = DifferentialPrivacy.nonRare(sorted.map { ($0, counts[$0]!.subjects) }, epsilon: epsilon, threshold: LatLongConstants.rareThreshold, random: &random).kept
            } else {
                let t = random.rareThreshold(base: LatLongConstants.rareThreshold)
                kept = sorted.filter { counts[$0]!.distinctSubjects >= t }
            }
            if kept.count > LatLongConstants.maxQuadValues - 1 {
                kept = Array(kept.sorted { (counts[$0]!.subjects, $1) > (counts[$1]!.subjects, $0) }.prefix(LatLongConstants.maxQuadValues - 1)).sorted()
            }
            if kept.count >= LatLongConstants.minQuadValues {
                levels.append(LatLongStats.QuadLevel(symbols: n, cells: kept.map { Quadtile.cellText($0, symbols: n) }))
            }
        }
        // Quadtile characters: rare ones (a lone subject south of the equator) are protected like
        // any rare value, unlike the reference, which lists every character seen.
        var kept: [[String]] = []
        let t = random.rareThreshold()
        for (i, counts) in characters.enumerated() {
            let present = (0..<Self.alphabet.count).filter { counts[$0].rows > 0 }
            var keep: [Int]
            if let characterEpsilon {
                keep = DifferentialPrivacy.nonRare(present.map { ($0, counts[$0].subjects) }, epsilon: characterEpsilon,
                                                   threshold: ProtectionConstants.dpRareThreshold, random: &random).kept
            } else if context.protection.enabled {
                keep = present.filter { counts[$0].distinctSubjects >= t }
            } else {
                keep = present
            }
            if keep.isEmpty { keep = [i < 2 ? 0 : 2] }
            kept.append(keep.map { String(UnicodeScalar(Self.alphabet[$0])) })
        }
        return LatLongStats(valueProtection: context.protection.enabled, hasNull: nulls > 0, quads: levels, characters: kept)
    }
}
