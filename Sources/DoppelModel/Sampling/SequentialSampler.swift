import DoppelNN
import DoppelParallel

extension PositionalSubColumns {
    /// Writes the codes of `value` into the sub-columns `columns` of a code row: one `cat`
    /// sub-column holds the value itself, several hold its decimal digits, most significant first
    /// (the encoding of positional quantities, docs/workspace.md); clamped to each cardinality.
    static func write(_ value: Int, to row: UnsafeMutablePointer<Int32>, columns: [Int], cardinalities: [Int]) {
        var divisor = 1
        for _ in 1..<max(columns.count, 1) { divisor *= 10 }
        for j in columns {
            let digit = columns.count == 1 ? value : (value / divisor) % 10
            row[j] = Int32(min(max(digit, 0), cardinalities[j] - 1))
            divisor /= 10
        }
    }

    /// The value whose codes are in the sub-columns `columns` of a code row.
    static func read(_ row: UnsafePointer<Int32>, columns: [Int]) -> Int {
        columns.reduce(0) { columns.count == 1 ? Int(row[$1]) : $0 * 10 + Int(row[$1]) }
    }

    /// The value whose codes are in the sub-columns `columns` of a code row.
    public static func read(_ row: [Int32], columns: [Int]) -> Int {
        row.withUnsafeBufferPointer { read($0.baseAddress!, columns: columns) }
    }
}

/// The given first events of some subjects (seeded generation): per subject, its seeded events'
/// codes in the heads' sub-column layout, row-major `[events, S]`, with ``FixedCodes/free`` for
/// every sub-column the model draws (always the positional ones). Subject `s` owns rows
/// `start[s]..<start[s + 1]`; a subject without seeded events owns none.
public struct SeededEvents: Sendable, Equatable {
    public let subColumnCount: Int
    public let start: [Int]
    public let codes: [Int32]
    public var subjectCount: Int { start.count - 1 }

    public init(subColumnCount: Int, start: [Int], codes: [Int32]) throws(ModelError) {
        guard let first = start.first, first == 0, zip(start, start.dropFirst()).allSatisfy({ $0 <= $1 }),
              codes.count == (start.last ?? 0) * subColumnCount else {
            throw .shapeMismatch("seeded events: \(codes.count) codes, starts \(start.prefix(4))…, \(subColumnCount) sub-columns per event")
        }
        self.subColumnCount = subColumnCount
        self.start = start
        self.codes = codes
    }

    /// Number of seeded events of subject `s`.
    public func length(_ s: Int) -> Int { start[s + 1] - start[s] }

    /// The seeded events of the subjects `range` (renumbered from 0).
    public func slice(_ range: Range<Int>) -> SeededEvents {
        let first = start[range.lowerBound], last = start[range.upperBound]
        // Same invariants as `self`: offsets from 0, codes of the rows in between.
        return try! SeededEvents(subColumnCount: subColumnCount, start: start[range.lowerBound...range.upperBound].map { $0 - first },
                                 codes: Array(codes[(first * subColumnCount)..<(last * subColumnCount)]))
    }
}

/// Generation with a trained ``SequentialModel`` (reference engine §7.6): for every subject, its
/// context encoded once, then one event per step: the history LSTM advances on the previous event
/// (zeros at step 0), the heads draw the event's codes given `[context vector | history]` with
/// the positional column first. `SLEN` is drawn at step 0 and fixes the sequence's length (capped
/// by `maxLength`); `SIDX` is the step and `RIDX` counts down from `SLEN`.
///
/// Seeded events (``SeededEvents``): at step `t` a subject's `t`-th seeded event fixes its given
/// sub-columns, which come first in the row's order, so `SLEN` at step 0 is drawn given the first
/// seeded event; the sequence lasts at least as long as its seed (the length is the larger of
/// the two, capped by `maxLength`, which also cuts a longer seed). The reference engine instead
/// re-draws the remaining length after the seeded prefix.
///
/// Subjects run in batches, in parallel; batch `b`, step `t`, group `g` draw from
/// `stream(seed, [0x5E9, b, t, g])`, so the output depends on the seed and the batch size, never
/// on the number of threads. A subject whose sequence has ended takes no further steps.
public enum SequentialSampler {
    /// One sequence per row of `contextCodes` (`[subjects, S_ctx]`), in the padded layout of
    /// ``SequenceData`` (events, then an all-zero end row per subject).
    /// `firstBatch` numbers the batches' random streams from there: generating subjects in chunks
    /// of whole batches, chunk by chunk with the matching first batch, gives the same sequences as
    /// one call.
    public static func generate(model: SequentialModel, subjects: Int, contextCodes: [Int32], maxLength: Int,
                                options: SamplingOptions, seeds: SeededEvents? = nil, firstBatch: Int = 0) throws(ModelError) -> SequenceData {
        let architecture = model.architecture, Sc = architecture.context.count
        guard subjects >= 0, maxLength >= 0 else { throw .invalidOption("subjects \(subjects) and maximum length \(maxLength) must be ≥ 0") }
        guard contextCodes.count == subjects * Sc else {
            throw .shapeMismatch("\(contextCodes.count) context codes for \(subjects) subjects × \(Sc) context sub-columns")
        }
        for (i, code) in contextCodes.enumerated() where code < 0 || Int(code) >= architecture.context[i % max(Sc, 1)].cardinality {
            throw .codeOutOfRange(subColumn: architecture.context[i % Sc].name, row: i / Sc, code: code,
                                  cardinality: architecture.context[i % Sc].cardinality)
        }
        guard options.topP > 0, options.topP <= 1, options.temperature >= 0, options.temperature.isFinite else {
            throw .invalidOption("top-p \(options.topP) must lie in (0, 1] and temperature \(options.temperature) be ≥ 0")
        }
        let heads = model.network.heads
        if let seeds {
            guard seeds.subjectCount == subjects, seeds.subColumnCount == heads.subColumnCount else {
                throw .shapeMismatch("seeded events for \(seeds.subjectCount) subjects × \(seeds.subColumnCount) sub-columns, asked for \(subjects) × \(heads.subColumnCount)")
            }
            for (i, code) in seeds.codes.enumerated() where code != FixedCodes.free {
                let j = i % seeds.subColumnCount
                guard code >= 0, Int(code) < heads.cardinalities[j] else {
                    throw .codeOutOfRange(subColumn: architecture.target.schema.qualifiedSubColumnNames[j], row: i / seeds.subColumnCount,
                                          code: code, cardinality: heads.cardinalities[j])
                }
            }
        }
        let suppressed = try Sampler.suppressionMasks(options.suppressedCodes, cardinalities: heads.cardinalities,
                                                      names: architecture.target.schema.qualifiedSubColumnNames)
        BLASRuntime.useSingleThread()  // batches are the parallelism
        let batchSize = Self.batchSize(options)
        let batches = (subjects + batchSize - 1) / batchSize
        let parts = ParallelLoop.map(batches, workers: options.workers) { b in
            let lo = b * batchSize, hi = min(subjects, lo + batchSize)
            return model.store.values.withUnsafeBufferPointer { v in
                generateBatch(model: model, values: v.baseAddress!, contextCodes: Array(contextCodes[(lo * Sc)..<(hi * Sc)]),
                              rows: hi - lo, batch: UInt64(firstBatch + b), maxLength: maxLength, options: options, suppressed: suppressed,
                              seeds: seeds.map { ($0, lo) })
            }
        }
        let S = heads.subColumnCount
        var codes: [Int32] = [], start = [0]
        for part in parts {
            for events in part {
                codes += events
                codes += [Int32](repeating: 0, count: S)
                start.append(start.last! + events.count / S + 1)
            }
        }
        return try SequenceData(subColumnCount: S, codes: codes, start: start, contextSubColumnCount: Sc, contextCodes: contextCodes)
    }

    /// Subjects per batch (1,024 unless the options say otherwise).
    public static func batchSize(_ options: SamplingOptions) -> Int { max(1, options.batchSize ?? 1024) }

    /// The events of `rows` subjects: per subject its event codes, row-major `[L, S]`.
    static func generateBatch(model: SequentialModel, values V: UnsafePointer<Float>, contextCodes: [Int32], rows m: Int, batch: UInt64,
                              maxLength: Int, options: SamplingOptions, suppressed: [[Bool]?],
                              seeds: (events: SeededEvents, firstSubject: Int)? = nil) -> [[Int32]] {
        let network = model.network, heads = network.heads, positional = model.architecture.positional
        let S = heads.subColumnCount, Ew = heads.embeddingWidth, H = network.historyWidth, kContext = network.contextWidth
        let K = kContext + H, cards = heads.cardinalities
        let contextVector = encodeContext(network: network, values: V, codes: contextCodes, rows: m)
        // Only subjects whose sequence goes on take a step: `alive` holds their rows, and the LSTM
        // state and the history input are kept compact, in the order of `alive`.
        var alive = Array(0..<m)
        var h = [Float](repeating: 0, count: m * H), c = h
        var input: [Float]? = nil  // the previous event's masked embeddings; none at step 0
        var lengths = [Int](repeating: 0, count: m)
        var events = [[Int32]](repeating: [], count: m)
        var step = 0
        while !alive.isEmpty {
            let n = alive.count
            if let x = input {
                x.withUnsafeBufferPointer { network.history.advance(x: $0.baseAddress, batch: n, values: V, hidden: &h, cell: &c) }
            } else {
                network.history.advance(x: nil, batch: n, values: V, hidden: &h, cell: &c)
            }
            var condition = [Float](repeating: 0, count: n * K)
            for (i, r) in alive.enumerated() {
                for k in 0..<kContext { condition[i * K + k] = contextVector[r * kContext + k] }
                for k in 0..<H { condition[i * K + kContext + k] = h[i * H + k] }
            }
            var codes = [Int32](repeating: FixedCodes.free, count: n * S)
            codes.withUnsafeMutableBufferPointer { p in
                for (i, r) in alive.enumerated() {
                    let row = p.baseAddress! + i * S
                    if let (seeded, first) = seeds, step < seeded.length(first + r) {
                        let from = (seeded.start[first + r] + step) * S
                        for j in 0..<S { row[j] = seeded.codes[from + j] }
                    }
                    PositionalSubColumns.write(step, to: row, columns: positional.sidx, cardinalities: cards)
                    if step > 0 {
                        PositionalSubColumns.write(lengths[r], to: row, columns: positional.slen, cardinalities: cards)
                        PositionalSubColumns.write(max(lengths[r] - step, 0), to: row, columns: positional.ridx, cardinalities: cards)
                    }
                }
            }
            // The positional column comes first in every row's order, as in training.
            Sampler.generateBatch(network: heads, values: V, codes: &codes, rows: n, streamPath: [0x5E9, batch, UInt64(step)],
                                  options: options, suppressed: suppressed, condition: condition, leading: [0])
            if step == 0 {
                codes.withUnsafeBufferPointer { p in
                    for (i, r) in alive.enumerated() {
                        let drawn = PositionalSubColumns.read(p.baseAddress! + i * S, columns: positional.slen)
                        lengths[r] = min(max(drawn, seeds.map { $0.events.length($0.firstSubject + r) } ?? 0), maxLength)
                    }
                }
            }
            var keep: [Int] = []  // positions in `alive` whose sequence has another step
            for (i, r) in alive.enumerated() where step < lengths[r] {
                events[r] += codes[(i * S)..<((i + 1) * S)]
                if step + 1 < lengths[r] { keep.append(i) }
            }
            let x = historyInput(network: network, values: V, codes: codes, rows: n, width: Ew)
            input = keep.flatMap { x[($0 * Ew)..<(($0 + 1) * Ew)] }
            h = keep.flatMap { h[($0 * H)..<(($0 + 1) * H)] }
            c = keep.flatMap { c[($0 * H)..<(($0 + 1) * H)] }
            alive = keep.map { alive[$0] }
            step += 1
        }
        return events
    }

    /// The context vector `[rows, K_ctx]` of every subject (empty without context sub-columns).
    static func encodeContext(network: SequentialNetwork, values V: UnsafePointer<Float>, codes: [Int32], rows m: Int) -> [Float] {
        guard let embeddings = network.contextEmbeddings, let encoder = network.contextEncoder, m > 0 else { return [] }
        var embedded = [Float](repeating: 0, count: m * embeddings.outputWidth)
        var vector = [Float](repeating: 0, count: m * encoder.outputs)
        codes.withUnsafeBufferPointer { c in
            embedded.withUnsafeMutableBufferPointer { e in
                // The codes were range-checked by `generate`.
                try? embeddings.forward(codes: c.baseAddress!, rows: m, values: V, y: e.baseAddress!, ldy: embeddings.outputWidth)
                vector.withUnsafeMutableBufferPointer { y in
                    encoder.forward(rows: m, x: e.baseAddress!, ldx: embeddings.outputWidth, values: V, y: y.baseAddress!, ldy: encoder.outputs)
                }
            }
        }
        return vector
    }

    /// The next step's history input: the embeddings of this step's codes, excluded sub-columns zeroed.
    static func historyInput(network: SequentialNetwork, values V: UnsafePointer<Float>, codes: [Int32], rows m: Int, width: Int) -> [Float] {
        var x = [Float](repeating: 0, count: m * width)
        codes.withUnsafeBufferPointer { c in
            x.withUnsafeMutableBufferPointer { xp in
                try? network.heads.embeddings.forward(codes: c.baseAddress!, rows: m, values: V, y: xp.baseAddress!, ldy: width)
                network.historyInputMask.withUnsafeBufferPointer { keep in
                    for r in 0..<m { VectorMath.multiply(xp.baseAddress! + r * width, by: keep.baseAddress!, count: width) }
                }
            }
        }
        return x
    }
}
