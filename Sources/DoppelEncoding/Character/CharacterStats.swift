import DoppelParallel
import DoppelTable

/// A string column encoded character by character: `nan` (when missing values were seen), then
/// `P0 … P{L-1}`, one per position up to the longest protected length. Code 0 is padding and
/// any rare or unknown character; kept characters follow in scalar order. Decoding drops code 0
/// and keeps everything else (trailing spaces included, unlike the reference).
public struct CharacterStats: Codable, Sendable, Equatable {
    public var valueProtection: Bool
    public var hasNull: Bool
    /// Kept characters per position.
    public var characters: [[String]]

    public var subColumns: [SubColumnSpec] {
        var specs = hasNull ? [SubColumnSpec("nan", 2)] : []
        for (i, chars) in characters.enumerated() { specs.append(SubColumnSpec("P\(i)", chars.count + 1)) }
        if characters.isEmpty { specs.append(SubColumnSpec("P0", 1)) }
        return specs
    }

    public func encode(_ column: Column, name: String, random: inout SeededRandom) throws(EncodingError) -> EncodedColumn {
        guard case .string(let c) = column else { throw EncodingError(column: name, "a \(column.type) column cannot use the character encoding") }
        let specs = subColumns
        let matrix = CodeMatrix(columns: specs.count, rowCount: c.count)
        let offset = hasNull ? 1 : 0
        let lookups: [[UInt32: Int32]] = characters.map { chars in
            var map: [UInt32: Int32] = [:]
            for (i, ch) in chars.enumerated() { map[ch.unicodeScalars.first!.value] = Int32(i + 1) }
            return map
        }
        let present = (0..<c.count).filter { c.isValid($0) }
        var buffer: [UInt32] = []
        for row in 0..<c.count {
            var source = row
            if !c.isValid(row) {
                if hasNull { matrix.pointers[0][row] = 1 }
                guard !present.isEmpty else { continue }
                source = present[random.uniform(below: present.count)]
            }
            scalars(c.utf8(source), limit: lookups.count, into: &buffer)
            for (i, s) in buffer.enumerated() { matrix.pointers[offset + i][row] = lookups[i][s] ?? 0 }
        }
        return matrix.finish(specs: specs)
    }

    public func decode(_ codes: EncodedColumn, name: String) throws(EncodingError) -> Column {
        let nan = hasNull ? try codes.require("nan", column: name) : nil
        var columns: [Buffer<Int32>] = []
        for (i, chars) in characters.enumerated() {
            let c = try codes.require("P\(i)", column: name)
            for r in 0..<c.count where c[r] < 0 || c[r] > chars.count {
                throw EncodingError(column: name, "code \(c[r]) of sub-column P\(i) at row \(r) is outside 0...\(chars.count)")
            }
            columns.append(c)
        }
        var values: [String?] = []
        values.reserveCapacity(codes.rowCount)
        for row in 0..<codes.rowCount {
            if nan?[row] == 1 { values.append(nil); continue }
            var s = ""
            for (i, c) in columns.enumerated() where c[row] > 0 { s += characters[i][Int(c[row]) - 1] }
            values.append(s)
        }
        return .string(values)
    }
}
