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

/// Partial statistics of a lat/long column: subjects per quad cell at each level and the
/// characters seen at each quadtile position.
public struct LatLongPartial: Codable, Sendable, Equatable {
    public var rows: Int
    public var nulls: Int
    /// Non-empty text that is not a valid `"lat, long"`.
    public var unparsed: Int
    /// Per level of ``Quadtile/quadLevels``: subjects per cell (quadtile prefix, packed as in
    /// ``Quadtile/Tile/cell(symbols:)``).
    public var quads: [[UInt64: SubjectCount]]
    /// Per quadtile position: characters seen.
    public var characters: [[String]]

    public init(column: Column, subjects: SubjectIDs, name: String) throws(EncodingError) {
        try subjects.validate(rowCount: column.count, column: name)
        let contiguous = subjects.runsAreContiguous(rowCount: column.count)
        guard case .string(let c) = column else { throw EncodingError(column: name, "a \(column.type) column cannot use the lat/long encoding (expected \"lat, long\" text)") }
        rows = c.count
        var nulls = 0, unparsed = 0
        var counters = Quadtile.quadLevels.map { _ in SubjectCounter<UInt64>(rowLevel: subjects.isRowLevel, contiguous: contiguous) }
        var seen = [Set<UInt8>](repeating: [], count: Quadtile.length)
        for row in 0..<c.count {
            guard c.isValid(row) else { nulls += 1; continue }
            let bytes = c.utf8(row)
            guard let (lat, long) = Quadtile.parse(bytes) else { nulls += 1; if bytes.count > 0 { unparsed += 1 }; continue }
            let tile = Quadtile.tile(lat: lat, long: long)
            for i in 0..<Quadtile.length { seen[i].insert(tile.character(i)) }
            let subject = subjects.id(row)
            for (level, n) in Quadtile.quadLevels.enumerated() { counters[level].add(tile.cell(symbols: n), subject: subject) }
        }
        self.nulls = nulls
        self.unparsed = unparsed
        quads = counters.map(\.counts)
        characters = seen.map { $0.sorted().map { String(UnicodeScalar($0)) } }
    }

    public mutating func merge(_ other: LatLongPartial) {
        rows += other.rows
        nulls += other.nulls
        unparsed += other.unparsed
        for i in quads.indices { mergeCounts(&quads[i], other.quads[i]) }
        for i in characters.indices { characters[i] = Array(Set(characters[i]).union(other.characters[i])).sorted() }
    }

    /// Keeps quad cells held by at least 20–22 subjects (DP: noisy count ≥ 20, ε split over the
    /// levels), at most 9,999 per level by subject count; drops levels with fewer than 5 cells.
    /// This protection always applies: quad cells locate subjects.
    public func finalize(_ context: FinalizeContext) -> LatLongStats {
        var random = context.random("latlong")
        let epsilon = context.protection.activeEpsilon.map { $0 / Double(Quadtile.quadLevels.count) }
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
        return LatLongStats(valueProtection: context.protection.enabled, hasNull: nulls > 0, quads: levels,
                            characters: characters.enumerated().map { $0.element.isEmpty ? [$0.offset < 2 ? "+" : "A"] : $0.element })
    }
}
