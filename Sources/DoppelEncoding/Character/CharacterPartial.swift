import DoppelParallel
import DoppelTable

/// Constants of the character encoding.
public enum CharacterConstants {
    /// Strings are cut to this many characters (Unicode scalars).
    public static let maxLength = 50
}

/// Unicode scalars of a UTF-8 string, at most `limit` (invalid bytes become U+FFFD).
func scalars(_ utf8: UnsafeBufferPointer<UInt8>, limit: Int, into out: inout [UInt32]) {
    out.removeAll(keepingCapacity: true)
    var iterator = utf8.makeIterator()
    var decoder = UTF8()
    while out.count < limit {
        switch decoder.decode(&iterator) {
        case .scalarValue(let s): out.append(s.value)
        case .emptyInput: return
        case .error: out.append(0xFFFD)
        }
    }
}

/// Partial statistics of a character column: per position, the subjects holding each character.
public struct CharacterPartial: Codable, Sendable, Equatable {
    public var rows: Int
    public var nulls: Int
    public var maxLength: Int
    /// `positions[i]`: subjects per character (as a one-character string) at position i.
    public var positions: [[String: SubjectCount]]

    public init(column: Column, subjects: SubjectIDs, name: String) throws(EncodingError) {
        try subjects.validate(rowCount: column.count, column: name)
        let contiguous = subjects.runsAreContiguous(rowCount: column.count)
        guard case .string(let c) = column else { throw EncodingError(column: name, "a \(column.type) column cannot use the character encoding") }
        rows = c.count
        var nulls = 0, longest = 0
        var counters: [SubjectCounter<UInt32>] = []
        var buffer: [UInt32] = []
        for row in 0..<c.count {
            guard c.isValid(row) else { nulls += 1; continue }
            scalars(c.utf8(row), limit: CharacterConstants.maxLength, into: &buffer)
            longest = max(longest, buffer.count)
            while counters.count < buffer.count { counters.append(SubjectCounter(rowLevel: subjects.isRowLevel, contiguous: contiguous)) }
            let subject = subjects.id(row)
            for (i, s) in buffer.enumerated() { counters[i].add(s, subject: subject) }
        }
        self.nulls = nulls
        maxLength = longest
        positions = counters.map { counter in
            var out: [String: SubjectCount] = [:]
            for (s, count) in counter.counts { out[String(Unicode.Scalar(s) ?? "\u{FFFD}"), default: SubjectCount()].merge(count) }
            return out
        }
    }

    public mutating func merge(_ other: CharacterPartial) {
        rows += other.rows
        nulls += other.nulls
        maxLength = max(maxLength, other.maxLength)
        while positions.count < other.positions.count { positions.append([:]) }
        for (i, p) in other.positions.enumerated() { mergeCounts(&positions[i], p) }
    }

    /// Per position, keeps characters held by at least 5–7 subjects (or with a DP-noised count
    /// of at least 5; ε split evenly over the positions).
    public func finalize(_ context: FinalizeContext) -> CharacterStats {
        var random = context.random("character")
        let epsilon = context.protection.activeEpsilon.map { $0 / Double(max(positions.count, 1)) }
        var kept: [[String]] = positions.map { counts in
            let sorted = counts.keys.sorted { $0.unicodeScalars.first!.value < $1.unicodeScalars.first!.value }
            if let epsilon {
                return DifferentialPrivacy.nonRare(sorted.map { ($0, counts[$0]!.subjects) }, epsilon: epsilon, threshold: ProtectionConstants.dpRareThreshold, random: &random).kept
            }
            guard context.protection.enabled else { return sorted }
            let t = random.rareThreshold()
            return sorted.filter { counts[$0]!.distinctSubjects >= t }
        }
        // Positions where every character is rare carry no information (and would reveal length).
        while let last = kept.last, last.isEmpty { kept.removeLast() }
        return CharacterStats(valueProtection: context.protection.enabled, hasNull: nulls > 0, characters: kept)
    }
}
