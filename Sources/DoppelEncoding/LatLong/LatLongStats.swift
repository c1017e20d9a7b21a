import DoppelParallel
import DoppelTable

/// A lat/long column encoded as quadtiles: the kept `QUAD{n}` cell sub-columns (coarse-to-fine
/// auxiliary targets; `_RARE_` = 0), the 30 quadtile characters `P0 … P29` (code = index among
/// the kept characters at that position; a rare character encodes as code 0), then `nan` last
/// (reference order). Decoding reads only
/// `P0 … P29`; the output is `"lat, long"` text with five decimals (10^-5 degrees).
public struct LatLongStats: Codable, Sendable, Equatable {
    public struct QuadLevel: Codable, Sendable, Equatable {
        /// Number of symbols after the two sign characters.
        public var symbols: Int
        /// Kept cells (quadtile prefixes), code = index + 1.
        public var cells: [String]
    }

    public var valueProtection: Bool
    public var hasNull: Bool
    public var quads: [QuadLevel]
    /// Kept characters per quadtile position.
    public var characters: [[String]]

    public var subColumns: [SubColumnSpec] {
        quads.map { SubColumnSpec("QUAD\($0.symbols)", $0.cells.count + 1) }
            + characters.enumerated().map { SubColumnSpec("P\($0.offset)", $0.element.count) }
            + (hasNull ? [SubColumnSpec("nan", 2)] : [])
    }

    public func encode(_ column: Column, name: String, random: inout SeededRandom) throws(EncodingError) -> EncodedColumn {
        guard case .string(let c) = column else { throw EncodingError(column: name, "a \(column.type) column cannot use the lat/long encoding") }
        let specs = subColumns
        let matrix = CodeMatrix(columns: specs.count, rowCount: c.count)
        let quadLookups: [[UInt64: Int32]] = quads.map { level in
            var map: [UInt64: Int32] = [:]
            for (i, text) in level.cells.enumerated() { if let cell = Quadtile.cell(text, symbols: level.symbols) { map[cell] = Int32(i + 1) } }
            return map
        }
        let charLookups: [[Int32]] = characters.map { chars in
            var table = [Int32](repeating: 0, count: 256)
            for (i, ch) in chars.enumerated() { if let b = ch.utf8.first { table[Int(b)] = Int32(i) } }
            return table
        }
        var tiles: [Quadtile.Tile?] = (0..<c.count).map { c.isValid($0) ? Quadtile.parse(c.utf8($0)).map { Quadtile.tile(lat: $0.lat, long: $0.long) } : nil }
        let present = tiles.indices.filter { tiles[$0] != nil }
        for row in 0..<c.count {
            if tiles[row] == nil {
                if hasNull { matrix.pointers[specs.count - 1][row] = 1 }
                guard !present.isEmpty else { continue }
                tiles[row] = tiles[present[random.uniform(below: present.count)]]
            }
            let tile = tiles[row]!
            for (q, level) in quads.enumerated() { matrix.pointers[q][row] = quadLookups[q][tile.cell(symbols: level.symbols)] ?? 0 }
            for i in 0..<Quadtile.length { matrix.pointers[quads.count + i][row] = charLookups[i][Int(tile.character(i))] }
        }
        return matrix.finish(specs: specs)
    }

    public func decode(_ codes: EncodedColumn, name: String) throws(EncodingError) -> Column {
        let nan = hasNull ? try codes.require("nan", column: name) : nil
        var columns: [Buffer<Int32>] = []
        for (i, chars) in characters.enumerated() {
            let c = try codes.require("P\(i)", column: name)
            for r in 0..<c.count where c[r] < 0 || c[r] >= chars.count {
                throw EncodingError(column: name, "code \(c[r]) of sub-column P\(i) at row \(r) is outside 0..<\(chars.count)")
            }
            columns.append(c)
        }
        var values: [String?] = []
        values.reserveCapacity(codes.rowCount)
        var tile = [UInt8](repeating: 0, count: Quadtile.length)
        for row in 0..<codes.rowCount {
            if nan?[row] == 1 { values.append(nil); continue }
            for i in 0..<Quadtile.length { tile[i] = characters[i][Int(columns[i][row])].utf8.first! }
            let (lat, long) = Quadtile.decode(tile)
            values.append(Quadtile.format(lat: lat, long: long))
        }
        return .string(values)
    }
}
