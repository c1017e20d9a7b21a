import DoppelParallel

/// The codes of one sub-column over a run of rows, read in place in their stored integer width
/// (the encoded files keep the narrowest of int8/16/32, older workspaces int64), from memory that
/// `owner` keeps alive: a memory-mapped encoded file, so training data need not fit in memory.
public struct CodeColumn: @unchecked Sendable {
    enum Pointer {
        case int8(UnsafePointer<Int8>), int16(UnsafePointer<Int16>), int32(UnsafePointer<Int32>), int64(UnsafePointer<Int64>)
    }
    let pointer: Pointer
    public let count: Int
    /// Keeps the memory of `pointer` alive (immutable while this value exists).
    let owner: AnyObject

    public init(_ values: UnsafeBufferPointer<Int8>, owner: AnyObject) { pointer = .int8(values.baseAddress ?? Self.empty()); count = values.count; self.owner = owner }
    public init(_ values: UnsafeBufferPointer<Int16>, owner: AnyObject) { pointer = .int16(values.baseAddress ?? Self.empty()); count = values.count; self.owner = owner }
    public init(_ values: UnsafeBufferPointer<Int32>, owner: AnyObject) { pointer = .int32(values.baseAddress ?? Self.empty()); count = values.count; self.owner = owner }
    public init(_ values: UnsafeBufferPointer<Int64>, owner: AnyObject) { pointer = .int64(values.baseAddress ?? Self.empty()); count = values.count; self.owner = owner }

    /// Owned Int32 codes (generated data, tests).
    init(owning codes: [Int32]) {
        let box = CodeBox(codes)
        pointer = .int32(box.pointer)
        count = codes.count
        owner = box
    }

    @inline(__always) public subscript(i: Int) -> Int32 {
        switch pointer {
        case .int8(let p): Int32(p[i])
        case .int16(let p): Int32(p[i])
        case .int32(let p): p[i]
        case .int64(let p): Int32(truncatingIfNeeded: p[i])
        }
    }

    /// The first index whose code lies outside `0..<cardinality`, if any (one pass, in place).
    public func firstOutOfRange(cardinality: Int) -> Int? {
        func scan<T: FixedWidthInteger>(_ p: UnsafePointer<T>) -> Int? {
            // Compared as Int: a cardinality beyond T's range (128 for int8 codes 0…127) must not clamp.
            for i in 0..<count where p[i] < 0 || Int(p[i]) >= cardinality { return i }
            return nil
        }
        switch pointer {
        case .int8(let p): return scan(p)
        case .int16(let p): return scan(p)
        case .int32(let p): return scan(p)
        case .int64(let p): return scan(p)
        }
    }

    private static func empty<T>() -> UnsafePointer<T> { UnsafePointer(bitPattern: 64)! }
}

/// Heap memory for owned codes, freed with the last ``CodeColumn`` that refers to it.
private final class CodeBox: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int32>
    let count: Int
    init(_ codes: [Int32]) {
        count = codes.count
        pointer = .allocate(capacity: max(codes.count, 1))
        codes.withUnsafeBufferPointer { if let base = $0.baseAddress { pointer.initialize(from: base, count: codes.count) } }
    }
    deinit { pointer.deallocate() }
}

/// Encoded sequences in the workspace's padded layout: subject `s` owns the target rows
/// `start[s] ..< start[s + 1]`, its events in order followed by ONE all-zero end-of-sequence row
/// (so a subject with `L` events has `L + 1` rows), plus one row of context codes per subject.
///
/// The target rows live in parts (one per encoded partition), each a set of ``CodeColumn``s read
/// in place, so a batch gathers its subjects' rows from the mapped files and memory follows the
/// batch, not the data. A subject's rows lie in one part.
public struct SequenceData: Sendable {
    public let subjectCount: Int
    public let subColumnCount: Int
    public let contextSubColumnCount: Int
    /// `subjectCount + 1` global row offsets (the last is the number of padded rows).
    public let start: [Int]
    /// `[subjects, S_ctx]`, row-major.
    public let contextCodes: [Int32]
    /// Per part: its first global row and its sub-columns (`S` columns of equal length).
    let parts: [(firstRow: Int, columns: [CodeColumn])]
    /// Per subject: its part.
    let partOfSubject: [Int32]
    /// Hands the pages of the mapped parts back to the kernel (set by whoever mapped them). A
    /// batch touches a page of every sub-column for each of its subjects, so an epoch would
    /// otherwise leave the whole encoded data resident; the trainer calls this every few steps,
    /// and the pages are read again from the page cache when needed.
    public var releasePages: (@Sendable () -> Void)?

    public var rowCount: Int { start.last ?? 0 }

    /// Row-major codes `[P, S]` held in memory (generated data, tests).
    public init(subColumnCount: Int, codes: [Int32], start: [Int], contextSubColumnCount: Int, contextCodes: [Int32]) throws(ModelError) {
        let rows = subColumnCount > 0 ? codes.count / subColumnCount : 0
        guard subColumnCount == 0 || codes.count == rows * subColumnCount else {
            throw .shapeMismatch("\(codes.count) target codes do not fill rows of \(subColumnCount)")
        }
        let columns = (0..<subColumnCount).map { j in CodeColumn(owning: (0..<rows).map { codes[$0 * subColumnCount + j] }) }
        try self.init(subColumnCount: subColumnCount, parts: [(rows, columns)], start: start,
                      contextSubColumnCount: contextSubColumnCount, contextCodes: contextCodes)
    }

    /// Parts of `rows` rows each with `S` code columns (read in place); `start` in global rows.
    public init(subColumnCount: Int, parts: [(rows: Int, columns: [CodeColumn])], start: [Int], contextSubColumnCount: Int,
                contextCodes: [Int32]) throws(ModelError) {
        guard let first = start.first, first == 0, zip(start, start.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .shapeMismatch("sequence starts must begin at 0 and give every subject at least its end-of-sequence row")
        }
        let subjects = start.count - 1
        let totalRows = parts.reduce(0) { $0 + $1.rows }
        guard start[subjects] == totalRows || (subjects == 0 && totalRows == 0),
              parts.allSatisfy({ part in part.columns.count == subColumnCount && part.columns.allSatisfy { $0.count == part.rows } }),
              contextCodes.count == subjects * contextSubColumnCount else {
            throw .shapeMismatch("\(totalRows) target rows of \(subColumnCount) sub-columns for \(start[subjects]) padded rows, \(contextCodes.count) context codes for \(subjects) × \(contextSubColumnCount)")
        }
        var located: [(firstRow: Int, columns: [CodeColumn])] = []
        var row = 0
        for part in parts { located.append((row, part.columns)); row += part.rows }
        var partOf = [Int32](repeating: 0, count: subjects)
        var p = 0
        for s in 0..<subjects {
            while p + 1 < located.count && start[s] >= located[p + 1].firstRow { p += 1 }
            // A subject's rows must not cross into the next part.
            guard p + 1 >= located.count || start[s + 1] <= located[p + 1].firstRow else {
                throw .shapeMismatch("subject \(s)'s rows \(start[s])..<\(start[s + 1]) cross the end of a part")
            }
            partOf[s] = Int32(p)
        }
        subjectCount = subjects
        self.subColumnCount = subColumnCount
        self.contextSubColumnCount = contextSubColumnCount
        self.start = start
        self.contextCodes = contextCodes
        self.parts = located
        partOfSubject = partOf
    }

    /// Number of events of subject `s` (its padded rows minus the end row).
    public func length(_ s: Int) -> Int { start[s + 1] - start[s] - 1 }

    /// The code of sub-column `j` in global row `row` of subject `s`.
    @inline(__always) func code(subject s: Int, row: Int, subColumn j: Int) -> Int32 {
        let part = parts[Int(partOfSubject[s])]
        return part.columns[j][row - part.firstRow]
    }

    /// Every padded row's codes, row-major `[P, S]` (a copy: for tests and small data).
    public var allCodes: [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(rowCount * subColumnCount)
        for s in 0..<subjectCount {
            for row in start[s]..<start[s + 1] { for j in 0..<subColumnCount { out.append(code(subject: s, row: row, subColumn: j)) } }
        }
        return out
    }

    /// The code of sub-column `j` in event `i` (0-based; `length(s)` is the end row) of subject `s`.
    public func code(subject s: Int, event i: Int, subColumn j: Int) -> Int32 { code(subject: s, row: start[s] + i, subColumn: j) }
}

extension SequenceBatch {
    /// The batch of `subjects` (indices into `data`), time-major, at most `maxSteps` steps:
    /// `T = min(longest + 1, maxSteps)`; steps past a subject's end row are zero codes with zero
    /// weight. Loss weights follow the reference engine (§5.6): data sub-columns on real events,
    /// `SLEN` at step 0 only, `RIDX` on real events and the end row (so the model learns to stop),
    /// `SIDX` never (it is always given). Column orders are random per event row with the
    /// positional column (column 0) always first; with `schemaOrder` every row takes the columns
    /// in schema order (scoring).
    static func make(from data: SequenceData, subjects: [Int], maxSteps: Int, positional: PositionalSubColumns,
                     columns: Int, random: inout SeededRandom, schemaOrder: Bool = false) -> SequenceBatch {
        // Longest sequences first (ties in the given order), so that each step's live rows lead.
        let subjects = subjects.enumerated().sorted { (data.length($0.element), $1.offset) > (data.length($1.element), $0.offset) }.map(\.element)
        let B = subjects.count, S = data.subColumnCount, Sc = data.contextSubColumnCount
        let T = min(maxSteps, subjects.map { data.length($0) + 1 }.max() ?? 0)
        let live = (0..<T).map { t in subjects.prefix { data.length($0) + 1 > t }.count }
        var codes = [Int32](repeating: 0, count: T * B * S)
        var weights = [Float](repeating: 0, count: T * B * S)
        var context = [Int32](repeating: 0, count: B * Sc)
        var role = [UInt8](repeating: 0, count: S)  // 0 data, 1 sidx, 2 slen, 3 ridx
        for j in positional.sidx { role[j] = 1 }
        for j in positional.slen { role[j] = 2 }
        for j in positional.ridx { role[j] = 3 }
        for (b, s) in subjects.enumerated() {
            let length = data.length(s), first = data.start[s]
            let part = data.parts[Int(data.partOfSubject[s])], local = first - part.firstRow
            for i in 0..<Sc { context[b * Sc + i] = data.contextCodes[s * Sc + i] }
            for t in 0..<min(T, length + 1) {
                let row = (t * B + b) * S
                for j in 0..<S {
                    codes[row + j] = part.columns[j][local + t]
                    let inLoss: Bool = switch role[j] {
                    case 1: false
                    case 2: t == 0
                    case 3: t <= length
                    default: t < length
                    }
                    weights[row + j] = inLoss ? 1 : 0
                }
            }
        }
        // Any order per event row, the positional column first (padding rows keep zeros: unused).
        var ranks = [Int32](repeating: 0, count: T * B * columns)
        var order = Array(1..<max(columns, 1))
        for t in 0..<T where columns > 0 {
            for b in 0..<live[t] {
                let r = t * B + b
                if !schemaOrder { random.shuffle(&order) }
                for (position, c) in order.enumerated() { ranks[r * columns + c] = Int32(position + 1) }
            }
        }
        return SequenceBatch(steps: T, subjects: B, codes: codes, contextCodes: context, ranks: ranks, lossWeights: weights, live: live)
    }
}
