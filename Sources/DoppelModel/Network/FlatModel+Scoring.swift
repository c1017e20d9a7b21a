import DoppelNN
import DoppelParallel

/// What a trained flat model says about given rows: their log-likelihood and the class
/// probabilities of one column given the others. Both are evaluation passes (no dropout) over
/// chunks of rows run in parallel; the results do not depend on the number of workers.
extension FlatModel {
    /// Rows per parallel chunk of a scoring pass.
    static let scoringChunk = 1_024

    /// `log p(row)` in nats with the columns in schema order: minus the sum over sub-columns of
    /// the cross-entropy of each code given the columns before it (the loss the model was
    /// trained on, for that one order).
    public func logLikelihoods(_ data: EncodedData, workers: Int = 1) throws(ModelError) -> [Double] {
        let ranks = ColumnOrders(rows: 1, order: Array(0..<network.columnCount)).ranks
        return try scoringPass(data, rowRanks: ranks, probabilitiesOf: nil, workers: workers).losses.map { -$0 }
    }

    /// The softmax probabilities of the first sub-column of `column` given every other column
    /// (which come first, in schema order; the target's own codes in `data` are not read):
    /// `[rows, cardinality]`, row-major.
    public func probabilities(of column: Int, given data: EncodedData, workers: Int = 1) throws(ModelError) -> [Float] {
        guard column >= 0, column < network.columnCount else { throw .invalidOption("column \(column) outside the model's \(network.columnCount)") }
        let order = Array(0..<network.columnCount).filter { $0 != column } + [column]
        let ranks = ColumnOrders(rows: 1, order: order).ranks
        return try scoringPass(data, rowRanks: ranks, probabilitiesOf: network.columns[column].firstSubColumn, workers: workers).probabilities
    }

    /// Evaluation passes over chunks of `data`, every row with the column ranks `rowRanks`: the
    /// rows' summed cross-entropies and, for `probabilitiesOf`, that sub-column's probabilities.
    private func scoringPass(_ data: EncodedData, rowRanks: [Int32], probabilitiesOf j: Int?,
                             workers: Int) throws(ModelError) -> (losses: [Double], probabilities: [Float]) {
        guard data.subColumnCount == network.subColumnCount else {
            throw .shapeMismatch("data has \(data.subColumnCount) sub-columns, the model \(network.subColumnCount)")
        }
        let network = network, values = store.values, codes = data.codes
        let S = network.subColumnCount, rows = data.rowCount, chunk = Self.scoringChunk
        let width = j.map { network.cardinalities[$0] } ?? 0
        let parts = ParallelLoop.map((rows + chunk - 1) / chunk, workers: workers) { i -> Result<([Double], [Float]), NNError> in
            let lo = i * chunk, n = min(rows, lo + chunk) - lo
            var losses = [Double](repeating: 0, count: n), probabilities = [Float](repeating: 0, count: n * width)
            let ranks = Array((0..<n).map { _ in rowRanks }.joined())
            var dropout = Dropout.evaluation
            return Result { () throws(NNError) -> ([Double], [Float]) in
                try values.withUnsafeBufferPointer { v throws(NNError) in
                    try codes.withUnsafeBufferPointer { c throws(NNError) in
                        try ranks.withUnsafeBufferPointer { r throws(NNError) in
                            try losses.withUnsafeMutableBufferPointer { l throws(NNError) in
                                try probabilities.withUnsafeMutableBufferPointer { p throws(NNError) in
                                    let capture = PassCapture(rowLosses: l.baseAddress!, probabilitiesOf: j, probabilities: p.baseAddress)
                                    _ = try network.pass(values: v.baseAddress!, gradients: nil, codes: c.baseAddress! + lo * S,
                                                         ranks: r.baseAddress!, rows: n, dropout: &dropout, divisor: 1, capture: capture)
                                }
                            }
                        }
                    }
                }
                return (losses, probabilities)
            }
        }
        var losses: [Double] = [], probabilities: [Float] = []
        losses.reserveCapacity(rows)
        for part in parts {
            let (l, p) = try ModelError.mapping { () throws -> ([Double], [Float]) in try part.get() }
            losses += l
            probabilities += p
        }
        return (losses, probabilities)
    }
}
