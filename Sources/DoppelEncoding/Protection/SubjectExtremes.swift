import DoppelParallel

/// The most extreme per-subject minima and maxima of a column: what min/max protection needs.
///
/// Each side keeps at most ``ProtectionConstants/extremesPerSide`` `(value, subject)` entries
/// sorted by value then subject id, one per subject. Merging unions the entries, keeps each
/// subject's most extreme value and cuts to the cap; the multiset of values kept is exactly
/// that of the whole data under any grouping (a subject cut from one side is beaten by at least
/// cap other subjects), so finalize is grouping-independent.
public struct SubjectExtremes<V: Comparable & Codable & Sendable>: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var value: V
        public var subject: Int64
    }
    /// Lowest per-subject minima, ascending.
    public private(set) var lowest: [Entry] = []
    /// Highest per-subject maxima, descending.
    public private(set) var highest: [Entry] = []

    public init() {}

    /// Adds the values of a partial, given per-subject minima and maxima (order irrelevant).
    mutating func add(subject: Int64, min: V, max: V) {
        Self.offer(&lowest, Entry(value: min, subject: subject), before: Self.lowFirst)
        Self.offer(&highest, Entry(value: max, subject: subject), before: Self.highFirst)
    }

    /// Adds a single value of `subject` (row-level subjects: each row is its own subject).
    mutating func add(subject: Int64, value: V) { add(subject: subject, min: value, max: value) }

    public mutating func merge(_ other: SubjectExtremes) {
        lowest = Self.union(lowest, other.lowest, before: Self.lowFirst)
        highest = Self.union(highest, other.highest, before: Self.highFirst)
    }

    private static func lowFirst(_ a: Entry, _ b: Entry) -> Bool { a.value != b.value ? a.value < b.value : a.subject < b.subject }
    private static func highFirst(_ a: Entry, _ b: Entry) -> Bool { a.value != b.value ? a.value > b.value : a.subject < b.subject }

    /// Inserts `e` unless `cap` better entries exist; a subject already present keeps its best.
    private static func offer(_ list: inout [Entry], _ e: Entry, before: (Entry, Entry) -> Bool) {
        let cap = ProtectionConstants.extremesPerSide
        if list.count == cap, let last = list.last, !before(e, last) { return }
        if let i = list.firstIndex(where: { $0.subject == e.subject }) {
            if !before(e, list[i]) { return }
            list.remove(at: i)
        }
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if before(list[mid], e) { lo = mid + 1 } else { hi = mid }
        }
        list.insert(e, at: lo)
        if list.count > cap { list.removeLast() }
    }

    private static func union(_ a: [Entry], _ b: [Entry], before: (Entry, Entry) -> Bool) -> [Entry] {
        var out = a
        for e in b { offer(&out, e, before: before) }
        return out
    }

    /// Number of distinct subjects seen (capped at ``ProtectionConstants/extremesPerSide``).
    public var subjectCount: Int { lowest.count }

    /// Protected bounds: the 6th–8th most extreme subject's value on each side (stochastic
    /// thresholds 5–7), or `nil` when fewer than 20 subjects hold a value ("protect all").
    /// Without protection: the true min and max.
    func bounds(protected: Bool, random: inout SeededRandom) -> (min: V, max: V)? {
        guard let first = lowest.first, let top = highest.first else { return nil }
        guard protected else { return (first.value, top.value) }
        guard lowest.count >= ProtectionConstants.minimumSubjectsForBounds else { return nil }
        let tLow = random.rareThreshold(), tHigh = random.rareThreshold()
        let lo = lowest[min(tLow, lowest.count - 1)].value
        let hi = highest[min(tHigh, highest.count - 1)].value
        return lo <= hi ? (lo, hi) : (hi, lo)
    }
}
