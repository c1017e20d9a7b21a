/// A lookup table of `count` learnable vectors of `dimension` floats (PyTorch `nn.Embedding`).
///
/// Shapes: `codes [B]` (Int32 in `0..<count`), table `E [count, dimension]`, `y [B, dimension]`.
/// Initialised from N(0, 1) like PyTorch.
public struct Embedding: Sendable {
    public let count: Int
    public let dimension: Int
    /// `[count, dimension]`.
    public let table: ParameterSlice

    /// Allocates `"<name>.weight"` `[count, dimension]` in `store`.
    public init(store: inout ParameterStore, name: String, count: Int, dimension: Int,
                initializer: Initializer = .embeddingDefault, trainable: Bool = true) {
        self.count = count
        self.dimension = dimension
        table = store.allocate("\(name).weight", shape: [count, dimension], initializer: initializer, trainable: trainable)
    }

    /// `y[r, :] = E[codes[r], :]`.
    /// - Throws: ``NNError/codeOutOfRange(layer:row:code:cardinality:)`` for a code outside the table.
    public func forward(codes: [Int32], _ store: ParameterStore) throws(NNError) -> Tensor {
        try validate(codes)
        var y = Tensor.uninitializedMatrix(codes.count, dimension)  // every row is copied in
        guard dimension > 0 else { return y }
        store.values.withUnsafeBufferPointer { p in
            y.storage.withUnsafeMutableBufferPointer { yp in
                guard let e = p.baseAddress.map({ $0 + table.offset }), let out = yp.baseAddress else { return }
                for (r, code) in codes.enumerated() {
                    (out + r * dimension).update(from: e + Int(code) * dimension, count: dimension)
                }
            }
        }
        return y
    }

    /// Scatter-add: `dE[codes[r], :] += dY[r, :]` for every row (repeated codes accumulate).
    public func backward(codes: [Int32], dY: Tensor, store: inout ParameterStore) throws(NNError) {
        precondition(dY.rows == codes.count && dY.columns == dimension,
                     "Embedding backward: dY \(dY.shape) for \(codes.count) codes of dimension \(dimension)")
        try validate(codes)
        guard dimension > 0 else { return }
        store.gradients.withUnsafeMutableBufferPointer { g in
            dY.storage.withUnsafeBufferPointer { dyp in
                guard let dE = g.baseAddress.map({ $0 + table.offset }), let d = dyp.baseAddress else { return }
                for (r, code) in codes.enumerated() {
                    let target = dE + Int(code) * dimension
                    let source = d + r * dimension
                    for j in 0..<dimension { target[j] += source[j] }
                }
            }
        }
    }

    private func validate(_ codes: [Int32]) throws(NNError) {
        for (r, code) in codes.enumerated() where code < 0 || Int(code) >= count {
            throw .codeOutOfRange(layer: "Embedding \(table.name)", row: r, code: code, cardinality: count)
        }
    }
}
