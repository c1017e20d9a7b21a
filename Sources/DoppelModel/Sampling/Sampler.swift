import DoppelNN
import DoppelParallel

/// Generation with a trained ``FlatModel``: batches of rows, run in parallel, each batch from its
/// own random stream `(seed, batch, group)`, so the output depends on the seed and the batch
/// size, never on the number of threads.
///
/// Within a batch, rows are grouped by the set of columns that are completely fixed. Every row
/// generates its fixed columns first (schema order), then the others in a random order of its own
/// (``SamplingOptions/randomColumnOrder``; schema order when off): the model was trained on a
/// random order per sample, and the orders' mixture is what its conditionals were fitted to —
/// one fixed order for all rows shifts the marginals (docs/model.md). Position by position, the
/// rows are grouped by the column they generate; for each such group the head's slice of the
/// column's layers is evaluated for all its rows at once, a code drawn per row, its embedding fed back.
public enum Sampler {
    /// Rows per batch when none is given: 4,096, fewer for very wide models (about 16 MiB of
    /// logits per batch), so memory stays bounded whatever the number of rows.
    public static func defaultBatchSize(for architecture: FlatModelArchitecture) -> Int {
        let cardinalities = architecture.columns.reduce(0) { $0 + $1.subColumns.reduce(0) { $0 + $1.cardinality } }
        return max(64, min(4096, (16 << 20) / max(1, 4 * cardinalities)))
    }

    public static func generate(model: FlatModel, rows: Int, options: SamplingOptions) throws(ModelError) -> EncodedData {
        let network = model.network
        let S = network.subColumnCount
        guard rows >= 0 else { throw .invalidOption("row count \(rows) is negative") }
        guard options.topP > 0, options.topP <= 1 else { throw .invalidOption("top-p \(options.topP) outside (0, 1]") }
        guard options.temperature >= 0, options.temperature.isFinite else { throw .invalidOption("temperature \(options.temperature) must be ≥ 0") }
        let suppressed = try suppressionMasks(options.suppressedCodes, cardinalities: network.cardinalities,
                                              names: model.schema.qualifiedSubColumnNames)
        let names = model.schema.qualifiedSubColumnNames
        if let fixed = options.fixed {
            guard fixed.rowCount == rows, fixed.subColumnCount == S else {
                throw .shapeMismatch("fixed codes for \(fixed.rowCount) rows × \(fixed.subColumnCount) sub-columns, asked for \(rows) × \(S)")
            }
            for r in 0..<rows {
                for j in 0..<S {
                    let code = fixed[r, j]
                    guard code == FixedCodes.free || (code >= 0 && Int(code) < network.cardinalities[j]) else {
                        throw .codeOutOfRange(subColumn: names[j], row: r, code: code, cardinality: network.cardinalities[j])
                    }
                }
            }
        }
        BLASRuntime.useSingleThread()  // batches are the parallelism
        let batchSize = max(1, options.batchSize ?? defaultBatchSize(for: model.architecture))
        let batches = (rows + batchSize - 1) / batchSize
        let suppressedMasks = suppressed
        let parts = ParallelLoop.map(batches, workers: options.workers) { b in
            let lo = b * batchSize, hi = min(rows, lo + batchSize)
            var codes = [Int32](repeating: FixedCodes.free, count: (hi - lo) * S)
            if let fixed = options.fixed { codes = Array(fixed.codes[lo * S ..< hi * S]) }
            model.store.values.withUnsafeBufferPointer { v in
                generateBatch(network: model.network, values: v.baseAddress!, codes: &codes, rows: hi - lo, streamPath: [0x5A4D, UInt64(b)],
                              options: options, suppressed: suppressedMasks, leading: options.leadingColumns)
            }
            return codes
        }
        var all: [Int32] = []
        all.reserveCapacity(rows * S)
        for part in parts { all += part }
        return try EncodedData(rowCount: rows, subColumnCount: S, codes: all)
    }

    /// Per sub-column, which codes are never sampled (`nil`: none), checked against the cardinalities.
    static func suppressionMasks(_ codes: [Int: [Int32]], cardinalities: [Int], names: [String]) throws(ModelError) -> [[Bool]?] {
        var suppressed = [[Bool]?](repeating: nil, count: cardinalities.count)
        for (j, list) in codes {
            guard j >= 0, j < cardinalities.count else {
                throw .invalidOption("suppressed codes for sub-column \(j), the model has \(cardinalities.count)")
            }
            var mask = [Bool](repeating: false, count: cardinalities[j])
            for code in list {
                guard code >= 0, Int(code) < mask.count else {
                    throw .codeOutOfRange(subColumn: names[j], row: -1, code: code, cardinality: mask.count)
                }
                mask[Int(code)] = true
            }
            guard mask.contains(false) else { throw .invalidOption("every code of sub-column \(names[j]) is suppressed") }
            suppressed[j] = mask
        }
        return suppressed
    }

    /// Fills the free (−1) codes of one batch in place; group `g` draws its codes from
    /// `stream(seed, streamPath + [g])` and its rows' orders from `stream(seed, streamPath + [g, 0x0D])`.
    /// `leading` columns come right after the fixed ones, before the shuffled rest (the sequential
    /// model's positional column). A conditioned network (``FlatNetwork/conditionWidth`` > 0) needs
    /// its condition inputs, `[rows, K]`.
    static func generateBatch(network: FlatNetwork, values: UnsafePointer<Float>, codes: inout [Int32], rows: Int, streamPath: [UInt64],
                              options: SamplingOptions, suppressed: [[Bool]?], condition: [Float]? = nil, leading: [Int] = []) {
        let S = network.subColumnCount, C = network.columnCount, K = network.conditionWidth
        precondition(K == 0 || condition?.count == rows * K, "a conditioned network needs [rows, \(K)] condition inputs")
        // Group rows by their fully fixed columns, groups in order of first appearance.
        var groupOf: [[Bool]: Int] = [:]
        var groups: [(fixedColumns: [Bool], rows: [Int])] = []
        for r in 0..<rows {
            let key = network.columns.map { col in
                (0..<col.subColumnCount).allSatisfy { codes[r * S + col.firstSubColumn + $0] != FixedCodes.free }
            }
            if let g = groupOf[key] { groups[g].rows.append(r) } else {
                groupOf[key] = groups.count
                groups.append((key, [r]))
            }
        }
        for (g, group) in groups.enumerated() {
            var random = SeededRandom.stream(seed: options.seed, streamPath + [UInt64(g)])
            let n = group.rows.count
            // Each row's order: its fixed columns first (schema order), the leading free ones, then
            // the others in a random order of the row's own (the distribution the model was trained
            // on) or in schema order.
            let fixed = (0..<C).filter { group.fixedColumns[$0] }
            let first = leading.filter { !group.fixedColumns[$0] }
            var free = (0..<C).filter { !group.fixedColumns[$0] && !leading.contains($0) }
            var orders = [Int](repeating: 0, count: n * C)
            var orderRandom = SeededRandom.stream(seed: options.seed, streamPath + [UInt64(g), 0x0D])
            for i in 0..<n {
                if options.randomColumnOrder { orderRandom.shuffle(&free) }
                for (t, c) in (fixed + first + free).enumerated() { orders[i * C + t] = c }
            }
            var groupCodes = [Int32](repeating: 0, count: n * S)
            var groupCondition = [Float](repeating: 0, count: n * K)
            for (i, r) in group.rows.enumerated() {
                for j in 0..<S { groupCodes[i * S + j] = codes[r * S + j] }
                if let condition { for k in 0..<K { groupCondition[i * K + k] = condition[r * K + k] } }
            }
            groupCondition.withUnsafeBufferPointer { cond in
                generateGroup(network: network, values: values, codes: &groupCodes, rows: n, orders: orders,
                              options: options, suppressed: suppressed, condition: cond.baseAddress, random: &random)
            }
            for (i, r) in group.rows.enumerated() {
                for j in 0..<S { codes[r * S + j] = groupCodes[i * S + j] }
            }
        }
    }

    /// Generates the free codes of `rows` rows; row `r` generates its columns in the order
    /// `orders[r·C ..< (r+1)·C]`. Position by position, the rows are grouped by the column they
    /// generate there, so rows sharing an order run as one group (one pass per column).
    static func generateGroup(network: FlatNetwork, values V: UnsafePointer<Float>, codes: inout [Int32], rows m: Int,
                              orders: [Int], options: SamplingOptions, suppressed: [[Bool]?], condition: UnsafePointer<Float>?,
                              random: inout SeededRandom) {
        let C = network.columnCount
        // Column embeddings of columns not generated yet stay zero: that IS the autoregressive mask.
        let E = FloatBuffer(count: m * network.embeddingWidth), CE = FloatBuffer(count: m * network.contextWidth)
        var sampler = CodeSampler(temperature: options.temperature, topP: options.topP)
        for t in 0..<C {
            var rowsOf = [[Int]](repeating: [], count: C)
            for r in 0..<m { rowsOf[orders[r * C + t]].append(r) }
            for c in 0..<C where !rowsOf[c].isEmpty {
                generateColumn(c, rows: rowsOf[c], network: network, values: V, codes: &codes, E: E, CE: CE, condition: condition,
                               sampler: &sampler, suppressed: suppressed, random: &random)
            }
        }
    }

    /// Generates the free codes of column `c` for the group rows `rows` (indices into `codes`, `E`,
    /// `CE` and `condition`), given what `E` and `CE` hold, then writes the column's embeddings back.
    private static func generateColumn(_ c: Int, rows: [Int], network: FlatNetwork, values V: UnsafePointer<Float>, codes: inout [Int32],
                                       E: FloatBuffer, CE: FloatBuffer, condition: UnsafePointer<Float>?, sampler: inout CodeSampler,
                                       suppressed: [[Bool]?], random: inout SeededRandom) {
        let S = network.subColumnCount, Ew = network.embeddingWidth, Cw = network.contextWidth, K = network.conditionWidth
        let m = rows.count
        let net = network.columns[c]
        let inW = net.inputWidth
        let X = FloatBuffer(count: m * inW, zeroed: false)
        for (i, r) in rows.enumerated() {
            if K > 0, let condition { (X.pointer + i * inW).update(from: condition + r * K, count: K) }
            (X.pointer + i * inW + K).update(from: CE.pointer + r * Cw, count: Cw)
            (X.pointer + i * inW + K + Cw).update(from: E.pointer + r * Ew + network.ownOffsets[c], count: network.ownWidths[c])
        }
        for k in 0..<net.subColumnCount {
            let j = net.firstSubColumn + k
            let card = network.cardinalities[j]
            let free = (0..<m).filter { codes[rows[$0] * S + j] == FixedCodes.free }
            if !free.isEmpty {
                // Head k's slice of every layer: its output rows (and, after the first layer, its own input block).
                var input = X.pointer, inputWidth = inW
                var hidden: [FloatBuffer] = []
                for (l, layer) in net.layers.enumerated() {
                    let width = layer.outputWidths[k]
                    let out = FloatBuffer(count: m * width, zeroed: false)
                    layer.forwardHead(k, rows: m, x: input, ldx: inputWidth, values: V, y: out.pointer, ldy: width)
                    if l < net.regressor.count { ReLU.forward(out.pointer, count: m * width) }
                    hidden.append(out)
                    input = out.pointer
                    inputWidth = width
                }
                let logits = hidden[hidden.count - 1]
                for i in free {
                    codes[rows[i] * S + j] = sampler.sample(logits: logits.pointer + i * card, count: card, suppressed: suppressed[j],
                                                            random: &random)
                }
            }
            // Feed the codes of sub-column j back: E and this column's input X.
            let d = network.embeddingDimensions[j]
            let table = V + network.embeddings.tables[j].offset
            let inX = K + Cw + network.embeddingOffsets[j] - network.ownOffsets[c]
            for (i, r) in rows.enumerated() {
                let src = table + Int(codes[r * S + j]) * d
                (E.pointer + r * Ew + network.embeddingOffsets[j]).update(from: src, count: d)
                (X.pointer + i * inW + inX).update(from: src, count: d)
            }
        }
        if let compressor = network.compressors[c] {
            // The compressor reads the rows' own-embedding block; gather it, compress, scatter.
            let own = network.ownWidths[c], width = network.contextWidths[c]
            let block = FloatBuffer(count: m * own, zeroed: false), out = FloatBuffer(count: m * width, zeroed: false)
            for (i, r) in rows.enumerated() { (block.pointer + i * own).update(from: E.pointer + r * Ew + network.ownOffsets[c], count: own) }
            compressor.forward(rows: m, x: block.pointer, ldx: own, values: V, y: out.pointer, ldy: width)
            for (i, r) in rows.enumerated() {
                (CE.pointer + r * Cw + network.contextOffsets[c]).update(from: out.pointer + i * width, count: width)
            }
        } else {
            for r in rows {
                (CE.pointer + r * Cw + network.contextOffsets[c]).update(from: E.pointer + r * Ew + network.ownOffsets[c],
                                                                        count: network.ownWidths[c])
            }
        }
    }
}
