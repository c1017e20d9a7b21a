/// `C` embedding tables looked up together, outputs concatenated (PyTorch `nn.Embedding`, one per
/// table): the per-sub-column embeddings of TabularARGN in one pass over a code matrix. A single
/// table is a set of one.
///
/// Shapes: `codes [B, C]` (Int32, row-major; column `c` in `0..<cardinalities[c]`), table `c`
/// `E_c [cardinalities[c], dimensions[c]]`, `y [B, Σ dimensions]` with table `c`'s vector in
/// columns `outputOffsets[c] ..< outputOffsets[c] + dimensions[c]`. Each table is its own slice
/// `"<name>.<c>"` (so single tables can be frozen), allocated back to back in the store and
/// initialised from N(0, 1) like PyTorch.
public struct EmbeddingSet: Sendable {
    public let cardinalities: [Int]
    public let dimensions: [Int]
    /// One slice per table.
    public let tables: [ParameterSlice]
    /// Start column of each table's vector in the output.
    public let outputOffsets: [Int]
    /// `Σ dimensions`.
    public let outputWidth: Int

    /// Allocates one N(0, 1)-initialised table per entry; tables listed in `frozen` are not trainable.
    public init(store: inout ParameterStore, name: String, cardinalities: [Int], dimensions: [Int], frozen: Set<Int> = []) {
        precondition(cardinalities.count == dimensions.count, "one dimension per table")
        self.cardinalities = cardinalities
        self.dimensions = dimensions
        var tables: [ParameterSlice] = []
        var offsets: [Int] = []
        var width = 0
        for c in cardinalities.indices {
            tables.append(store.allocate("\(name).\(c)", shape: [cardinalities[c], dimensions[c]],
                                         initializer: .embeddingDefault, trainable: !frozen.contains(c)))
            offsets.append(width)
            width += dimensions[c]
        }
        self.tables = tables
        outputOffsets = offsets
        outputWidth = width
    }

    /// Number of tables `C`.
    public var count: Int { tables.count }

    /// `y[r, offset_c ..< offset_c + d_c] = E_c[codes[r, c], :]` for `rows` rows of `codes`
    /// (`[rows, C]`, row-major) into `y` (rows `ldy` floats apart).
    /// - Throws: ``NNError/codeOutOfRange(layer:row:code:cardinality:)`` for a code outside its table
    ///   (the first in row-major order; rows before it are written).
    public func forward(codes: UnsafePointer<Int32>, rows: Int, values: UnsafePointer<Float>,
                        y: UnsafeMutablePointer<Float>, ldy: Int) throws(NNError) {
        for r in 0..<rows {
            for c in 0..<count {
                let code = Int(codes[r * count + c])
                guard code >= 0, code < cardinalities[c] else {
                    throw .codeOutOfRange(layer: tables[c].name, row: r, code: Int32(truncatingIfNeeded: code), cardinality: cardinalities[c])
                }
                (y + r * ldy + outputOffsets[c]).update(from: values + tables[c].offset + code * dimensions[c], count: dimensions[c])
            }
        }
    }

    /// Scatter-add: `dE_c[codes[r, c], :] += dY[r, offset_c ..< offset_c + d_c]` into `gradients`
    /// (rows, then tables, in order: repeated codes accumulate deterministically); frozen tables
    /// are skipped. The codes must have passed ``forward(codes:rows:values:y:ldy:)``.
    public func backward(codes: UnsafePointer<Int32>, rows: Int, dY: UnsafePointer<Float>, lddY: Int,
                         gradients: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            for c in 0..<count where tables[c].trainable {
                let d = dimensions[c]
                let target = gradients + tables[c].offset + Int(codes[r * count + c]) * d
                let source = dY + r * lddY + outputOffsets[c]
                for j in 0..<d { target[j] += source[j] }
            }
        }
    }

    /// The lookup for a code matrix `codes [B, C]` as a tensor `[B, Σ dimensions]`.
    public func forward(codes: [Int32], _ store: ParameterStore) throws(NNError) -> Tensor {
        let rows = rowCount(codes)
        var y = Tensor(shape: [rows, outputWidth])
        guard rows > 0, outputWidth > 0 else { return y }
        try codes.withUnsafeBufferPointer { (c: UnsafeBufferPointer<Int32>) throws(NNError) in
            try store.values.withUnsafeBufferPointer { (v: UnsafeBufferPointer<Float>) throws(NNError) in
                try y.storage.withUnsafeMutableBufferPointer { (yp: inout UnsafeMutableBufferPointer<Float>) throws(NNError) in
                    try forward(codes: c.baseAddress!, rows: rows, values: v.baseAddress!, y: yp.baseAddress!, ldy: outputWidth)
                }
            }
        }
        return y
    }

    /// Scatter-add of `dY [B, Σ dimensions]` into `store.gradients`.
    public func backward(codes: [Int32], dY: Tensor, store: inout ParameterStore) throws(NNError) {
        let rows = rowCount(codes)
        precondition(dY.rows == rows && dY.columns == outputWidth, "EmbeddingSet backward: dY \(dY.shape), expected [\(rows), \(outputWidth)]")
        try validate(codes)
        guard rows > 0, outputWidth > 0 else { return }
        codes.withUnsafeBufferPointer { c in
            dY.storage.withUnsafeBufferPointer { d in
                store.gradients.withUnsafeMutableBufferPointer { g in
                    backward(codes: c.baseAddress!, rows: rows, dY: d.baseAddress!, lddY: outputWidth, gradients: g.baseAddress!)
                }
            }
        }
    }

    private func rowCount(_ codes: [Int32]) -> Int {
        precondition(count > 0 && codes.count % count == 0, "\(codes.count) codes do not fill rows of \(count) tables")
        return codes.count / count
    }

    private func validate(_ codes: [Int32]) throws(NNError) {
        for (k, code) in codes.enumerated() where code < 0 || Int(code) >= cardinalities[k % count] {
            throw .codeOutOfRange(layer: tables[k % count].name, row: k / count, code: code, cardinality: cardinalities[k % count])
        }
    }
}
