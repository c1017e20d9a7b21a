import DoppelParallel

/// Encoded sequences in the workspace's padded layout: subject `s` owns the target rows
/// `start[s] ..< start[s + 1]`, its events in order followed by ONE all-zero end-of-sequence row
/// (so a subject with `L` events has `L + 1` rows), plus one row of context codes per subject.
public struct SequenceData: Sendable {
    public let subjectCount: Int
    public let subColumnCount: Int
    public let contextSubColumnCount: Int
    /// Padded target rows `[P, S]`, row-major.
    public let codes: [Int32]
    /// `subjectCount + 1` row offsets (the last is `P`).
    public let start: [Int]
    /// `[subjects, S_ctx]`, row-major.
    public let contextCodes: [Int32]

    public init(subColumnCount: Int, codes: [Int32], start: [Int], contextSubColumnCount: Int, contextCodes: [Int32]) throws(ModelError) {
        guard let first = start.first, first == 0, start.count >= 1, zip(start, start.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .shapeMismatch("sequence starts must begin at 0 and give every subject at least its end-of-sequence row")
        }
        let subjects = start.count - 1
        guard codes.count == start[subjects] * subColumnCount, contextCodes.count == subjects * contextSubColumnCount else {
            throw .shapeMismatch("\(codes.count) target codes for \(start[subjects]) rows × \(subColumnCount), \(contextCodes.count) context codes for \(subjects) × \(contextSubColumnCount)")
        }
        subjectCount = subjects
        self.subColumnCount = subColumnCount
        self.contextSubColumnCount = contextSubColumnCount
        self.codes = codes
        self.start = start
        self.contextCodes = contextCodes
    }

    /// Number of events of subject `s` (its padded rows minus the end row).
    public func length(_ s: Int) -> Int { start[s + 1] - start[s] - 1 }
}

extension SequenceBatch {
    /// The batch of `subjects` (indices into `data`), time-major, at most `maxSteps` steps:
    /// `T = min(longest + 1, maxSteps)`; steps past a subject's end row are zero codes with zero
    /// weight. Loss weights follow the reference engine (§5.6): data sub-columns on real events,
    /// `SLEN` at step 0 only, `RIDX` on real events and the end row (so the model learns to stop),
    /// `SIDX` never (it is always given). Column orders are random per event row with the
    /// positional column (column 0) always first.
    static func make(from data: SequenceData, subjects: [Int], maxSteps: Int, positional: PositionalSubColumns,
                     columns: Int, random: inout SeededRandom) -> SequenceBatch {
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
            for i in 0..<Sc { context[b * Sc + i] = data.contextCodes[s * Sc + i] }
            for t in 0..<min(T, length + 1) {
                let row = (t * B + b) * S
                for j in 0..<S {
                    codes[row + j] = data.codes[(first + t) * S + j]
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
        // Any order per event row, the positional column first.
        var ranks = [Int32](repeating: 0, count: T * B * columns)
        var order = Array(1..<max(columns, 1))
        for r in 0..<(T * B) where columns > 0 {
            random.shuffle(&order)
            for (position, c) in order.enumerated() { ranks[r * columns + c] = Int32(position + 1) }
        }
        return SequenceBatch(steps: T, subjects: B, codes: codes, contextCodes: context, ranks: ranks, lossWeights: weights, live: live)
    }
}
