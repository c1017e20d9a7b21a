import DoppelTable

/// How many distinct subjects hold a value, in a form whose merge is exact and associative.
///
/// `sketch` keeps the smallest distinct subject ids (at most
/// ``ProtectionConstants/subjectSketchSize``): the union of two sketches cut to that size is the
/// sketch of the union, so `distinctSubjects` is exact up to the cap however partials are grouped,
/// even when a subject spans partials. `subjects` sums per-partial distinct counts (exact when
/// each subject lives in one partial, as split guarantees) and feeds DP counts; `rows` counts rows.
public struct SubjectCount: Codable, Sendable, Equatable {
    public var rows: Int
    public var subjects: Int
    public var sketch: [Int64]

    public init(rows: Int = 0, subjects: Int = 0, sketch: [Int64] = []) {
        self.rows = rows
        self.subjects = subjects
        self.sketch = sketch
    }

    /// Distinct subjects, exact up to the sketch size (larger counts read as at least that).
    public var distinctSubjects: Int { sketch.count < ProtectionConstants.subjectSketchSize ? sketch.count : max(sketch.count, subjects) }

    /// Inserts `id` into the sorted sketch (no-op when present or beyond the cap).
    @inlinable mutating func insert(_ id: Int64) {
        let cap = ProtectionConstants.subjectSketchSize
        if sketch.count == cap, let last = sketch.last, id >= last { return }
        var lo = 0, hi = sketch.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sketch[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        if lo < sketch.count && sketch[lo] == id { return }
        sketch.insert(id, at: lo)
        if sketch.count > cap { sketch.removeLast() }
    }

    public mutating func merge(_ other: SubjectCount) {
        rows += other.rows
        subjects += other.subjects
        for id in other.sketch { insert(id) }
    }
}

/// Counts rows and distinct subjects per key within one partial.
///
/// Deduplicating (key, subject) pairs is the costly part. When every subject's rows form one
/// contiguous run (as split writes them), pairs are deduplicated within the current run only;
/// otherwise a set of all pairs is used.
struct SubjectCounter<Key: Hashable> {
    private(set) var counts: [Key: SubjectCount] = [:]
    private var seen: Set<Pair> = []
    private var runSubject: Int64? = nil
    private var runKeys: [Key] = []
    private var runSet: Set<Key> = []
    private let mode: Mode

    private enum Mode { case rowLevel, contiguousRuns, anyOrder }
    private struct Pair: Hashable { let key: Key; let subject: Int64 }

    /// - Parameter contiguous: whether each subject's rows form one run
    ///   (``SubjectIDs/runsAreContiguous(rowCount:)``, computed once per column).
    init(rowLevel: Bool, contiguous: Bool) {
        mode = rowLevel ? .rowLevel : (contiguous ? .contiguousRuns : .anyOrder)
    }

    /// Drops the keys that `keep` rejects (they must not be added again).
    mutating func prune(keep: (Key) -> Bool) {
        counts = counts.filter { keep($0.key) }
    }

    mutating func add(_ key: Key, subject: Int64) {
        let isNew: Bool
        switch mode {
        case .rowLevel: isNew = true
        case .anyOrder: isNew = seen.insert(Pair(key: key, subject: subject)).inserted
        case .contiguousRuns:
            if subject != runSubject { runSubject = subject; runKeys.removeAll(keepingCapacity: true); runSet.removeAll() }
            if runKeys.count < 16 {
                isNew = !runKeys.contains(key)
                if isNew { runKeys.append(key) }
            } else {
                isNew = !runKeys.contains(key) && runSet.insert(key).inserted
            }
        }
        counts[key, default: SubjectCount()].rows += 1
        if isNew {
            counts[key]!.subjects += 1
            counts[key]!.insert(subject)
        }
    }
}

/// Like ``SubjectCounter`` for a small fixed set of keys `0 ..< keyCount` (flags, positions):
/// arrays instead of dictionaries, and a run stamp per key instead of a per-run set.
struct IndexedSubjectCounter {
    private(set) var counts: [SubjectCount]
    private var stamps: [Int]
    private var run = 0
    private var runSubject: Int64? = nil
    private var pairs = Set<SIMD2<Int64>>()
    private let rowLevel: Bool
    private let contiguous: Bool

    init(keyCount: Int, rowLevel: Bool, contiguous: Bool) {
        counts = [SubjectCount](repeating: SubjectCount(), count: keyCount)
        stamps = [Int](repeating: -1, count: keyCount)
        self.rowLevel = rowLevel
        self.contiguous = contiguous
    }

    @inline(__always) mutating func add(_ key: Int, subject: Int64) {
        counts[key].rows += 1
        let isNew: Bool
        if rowLevel {
            isNew = true
        } else if contiguous {
            if subject != runSubject { runSubject = subject; run += 1 }
            isNew = stamps[key] != run
            stamps[key] = run
        } else {
            isNew = pairs.insert(SIMD2(subject, Int64(key))).inserted
        }
        if isNew {
            counts[key].subjects += 1
            counts[key].insert(subject)
        }
    }
}

extension SubjectIDs {
    /// True when each subject's rows form a single contiguous run.
    func runsAreContiguous(rowCount: Int) -> Bool {
        guard case .keys(let keys) = self else { return true }
        var started = Set<Int64>()
        var previous: Int64? = nil
        for row in 0..<rowCount {
            let id = keys[row]
            if id != previous {
                if !started.insert(id).inserted { return false }
                previous = id
            }
        }
        return true
    }
}

/// Keyed subject counts merged entry-wise (merge is associative and commutative).
func mergeCounts<K: Hashable>(_ a: inout [K: SubjectCount], _ b: [K: SubjectCount]) {
    for (k, v) in b { a[k, default: SubjectCount()].merge(v) }
}
