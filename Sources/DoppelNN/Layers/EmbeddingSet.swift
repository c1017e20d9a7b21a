/// `C` embedding tables looked up together, outputs concatenated: the per-sub-column embeddings
/// of TabularARGN in one pass over a code matrix.
///
/// Shapes: `codes [B, C]` (Int32, row-major; column `c` in `0..<cardinalities[c]`), table `c`
/// `E_c [cardinalities[c], dimensions[c]]`, `y [B, Σ dimensions]` with table `c`'s vector in
/// columns `outputOffsets[c] ..< outputOffsets[c] + dimensions[c]`. Each table is its own slice
/// `"<name>.<c>.weight"` (so single tables can be frozen), allocated back to back in the store.
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
            tables.append(store.allocate("\(name).\(c).weight", shape: [cardinalities[c], dimensions[c]],
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

    /// `y[r, offset_c ..< offset_c + d_c] = E_c[codes[r, c], :]` for every table `c`.
    /// - Throws: ``NNError/codeOutOfRange(layer:row:code:cardinality:)`` for a code outside its table.
    public func forward(codes: [Int32], _ store: ParameterStore) throws(NNError) -> Tensor {
        let rows = try validate(codes)
        var y = Tensor.uninitializedMatrix(rows, outputWidth)  // every table block is copied in
        store.values.withUnsafeBufferPointer { p in
            y.storage.withUnsafeMutableBufferPointer { yp in
                guard let values = p.baseAddress, let out = yp.baseAddress else { return }
                for r in 0..<rows {
                    for c in 0..<count where dimensions[c] > 0 {
                        let source = values + tables[c].offset + Int(codes[r * count + c]) * dimensions[c]
                        (out + r * outputWidth + outputOffsets[c]).update(from: source, count: dimensions[c])
                    }
                }
            }
        }
        return y
    }

    /// Scatter-add: `dE_c[codes[r, c], :] += dY[r, offset_c ..< offset_c + d_c]`.
    public func backward(codes: [Int32], dY: Tensor, store: inout ParameterStore) throws(NNError) {
        let rows = try validate(codes)
        precondition(dY.rows == rows && dY.columns == outputWidth, "EmbeddingSet backward: dY \(dY.shape), expected [\(rows), \(outputWidth)]")
        store.gradients.withUnsafeMutableBufferPointer { g in
            dY.storage.withUnsafeBufferPointer { dyp in
                guard let grads = g.baseAddress, let d = dyp.baseAddress else { return }
                for r in 0..<rows {
                    for c in 0..<count where tables[c].trainable {
                        let target = grads + tables[c].offset + Int(codes[r * count + c]) * dimensions[c]
                        let source = d + r * outputWidth + outputOffsets[c]
                        for j in 0..<dimensions[c] { target[j] += source[j] }
                    }
                }
            }
        }
    }

    /// Checks the code matrix and returns its row count.
    private func validate(_ codes: [Int32]) throws(NNError) -> Int {
        precondition(count > 0 && codes.count % count == 0, "\(codes.count) codes do not fill rows of \(count) tables")
        for (k, code) in codes.enumerated() {
            let c = k % count
            if code < 0 || Int(code) >= cardinalities[c] {
                throw .codeOutOfRange(layer: "EmbeddingSet \(tables[c].name)", row: k / count, code: code, cardinality: cardinalities[c])
            }
        }
        return codes.count / count
    }
}
