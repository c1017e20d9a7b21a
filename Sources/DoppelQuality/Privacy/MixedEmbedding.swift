/// Doppel's mixed-type row embedding for distance-based privacy measures.
///
/// Conceptually every row becomes the vector
///
///     [ q(x₁) … q(x_k) | na₁ … na_m | onehot(c₁)/√2 … onehot(c_j)/√2 ]  /  ‖·‖₂
///
/// * numbers and times: `q` is the empirical quantile transform (≤ 100 quantiles fitted on
///   training + holdout, as scikit-learn's `QuantileTransformer`: linear interpolation between
///   quantiles, ties mapped to the middle of their range), shifted to [−0.5, 0.5]; a missing
///   value maps to 0 and, for columns with missing values, an extra "is missing" entry holds
///   ±0.5;
/// * categories: a one-hot vector scaled by 1/√2, so that two different categories are exactly
///   1 apart, the largest possible gap between two numbers; categories never seen in training or
///   holdout (only synthetic rows can have them) get an axis of their own;
/// * the row is L2-normalised (mostlyai-qa does the same with its string embeddings).
///
/// The one-hot part is never materialised: a row stores its normalised numeric entries, its
/// category codes and its scale `α = (1/√2)/‖row‖`. Between rows `a` and `b` the categorical
/// part of the squared distance is `n_eq·(α_a − α_b)² + (n_cat − n_eq)·(α_a² + α_b²)`, where
/// `n_eq` counts equal categories, so the cost per pair is O(columns), not O(categories).
struct MixedEmbedding: Sendable {
    enum ColumnEncoder: Sendable {
        case quantiles([Double], hasMissing: Bool)
        case categories([String: Int32])
    }

    let names: [String]
    let encoders: [ColumnEncoder]

    /// Code of a category not seen when fitting.
    static let unseenCode: Int32 = -2
    /// Code of a missing category.
    static let missingCode: Int32 = -1
    static let maxQuantiles = 100
    static let categoryScale = 0.5.squareRoot()

    /// Fits the encoders on `reference` (training + holdout rows); `all` tells which numeric
    /// columns have missing values in any data set.
    init(names: [String], reference: [MetricColumn], anyMissing: [Bool]) {
        self.names = names
        encoders = zip(reference, anyMissing).map { column, missing in
            switch column {
            case .numeric(let v), .temporal(let v):
                return .quantiles(MixedEmbedding.quantiles(v.filter { !$0.isNaN }.sorted()), hasMissing: missing)
            case .categorical(_, let dict):
                var index: [String: Int32] = [:]
                for (i, name) in dict.enumerated() { index[name] = Int32(i) }
                return .categories(index)
            }
        }
    }

    /// `n` quantiles at evenly spaced probabilities (NumPy's default linear percentile).
    static func quantiles(_ sorted: [Double]) -> [Double] {
        guard !sorted.isEmpty else { return [] }
        let n = min(maxQuantiles, sorted.count)
        if n == 1 { return [sorted[0]] }
        return (0..<n).map { i in
            let position = Double(i) / Double(n - 1) * Double(sorted.count - 1)
            let lo = Int(position.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
            let t = position - Double(lo)
            return sorted[lo] + (sorted[hi] - sorted[lo]) * t
        }
    }

    /// Quantile-transformed value in [−0.5, 0.5]: the mean of the forward and backward
    /// interpolation, so that a value repeated across several quantiles lands in their middle.
    static func transform(_ x: Double, _ q: [Double]) -> Double {
        let n = q.count
        guard n > 1 else { return 0 }
        if x <= q[0] { return -0.5 }
        if x >= q[n - 1] { return 0.5 }
        let step = 1 / Double(n - 1)
        // Forward: last j with q[j] <= x.
        var lo = 0, hi = n - 1
        while hi - lo > 1 { let m = (lo + hi) / 2; if q[m] <= x { lo = m } else { hi = m } }
        let forward = q[lo + 1] == q[lo] ? Double(lo) * step : (Double(lo) + (x - q[lo]) / (q[lo + 1] - q[lo])) * step
        // Backward: first j with q[j] >= x.
        var l2 = 0, h2 = n - 1
        while h2 - l2 > 1 { let m = (l2 + h2) / 2; if q[m] >= x { h2 = m } else { l2 = m } }
        let backward = q[h2] == x ? Double(h2) * step : (Double(l2) + (x - q[l2]) / (q[h2] - q[l2])) * step
        return 0.5 * (forward + backward) - 0.5
    }

    var numericWidth: Int {
        encoders.reduce(0) { w, e in
            if case .quantiles(_, let m) = e { return w + (m ? 2 : 1) }
            return w
        }
    }

    var categoricalWidth: Int {
        encoders.reduce(0) { w, e in
            if case .categories = e { return w + 1 }
            return w
        }
    }

    /// Embeds rows given as columns (in `names` order, coerced to the fitted kinds).
    func embed(_ columns: [MetricColumn]) -> EmbeddedRows {
        let rows = columns.first?.count ?? 0
        let dn = numericWidth, dc = categoricalWidth
        var numeric = [Float](repeating: 0, count: rows * dn)
        var codes = [Int32](repeating: 0, count: rows * dc)
        var squaredNorm = [Double](repeating: 0, count: rows)
        var ni = 0, ci = 0
        for (encoder, column) in zip(encoders, columns) {
            switch (encoder, column) {
            case (.quantiles(let q, let hasMissing), .numeric(let v)), (.quantiles(let q, let hasMissing), .temporal(let v)):
                for r in 0..<rows {
                    let x = v[r]
                    let value = x.isNaN ? 0 : MixedEmbedding.transform(x, q)
                    numeric[r * dn + ni] = Float(value)
                    squaredNorm[r] += value * value
                    if hasMissing {
                        let flag = x.isNaN ? 0.5 : -0.5
                        numeric[r * dn + ni + 1] = Float(flag)
                        squaredNorm[r] += 0.25
                    }
                }
                ni += hasMissing ? 2 : 1
            case (.categories(let index), .categorical(let c, let dict)):
                let mapped = dict.map { index[$0] ?? MixedEmbedding.unseenCode }
                for r in 0..<rows { codes[r * dc + ci] = c[r] >= 0 ? mapped[Int(c[r])] : MixedEmbedding.missingCode }
                ci += 1
            default:
                // Kinds were coerced beforehand; anything else counts as missing.
                if case .quantiles(_, let hasMissing) = encoder { ni += hasMissing ? 2 : 1 } else {
                    for r in 0..<rows { codes[r * dc + ci] = MixedEmbedding.missingCode }
                    ci += 1
                }
            }
        }
        // Every category contributes (1/√2)² = ½ to the squared norm.
        var alpha = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            let norm = (squaredNorm[r] + 0.5 * Double(dc)).squareRoot()
            guard norm > 0 else { continue }
            for d in 0..<dn { numeric[r * dn + d] = Float(Double(numeric[r * dn + d]) / norm) }
            alpha[r] = Float(MixedEmbedding.categoryScale / norm)
        }
        return EmbeddedRows(count: rows, numericWidth: dn, categoricalWidth: dc, numeric: numeric, codes: codes, alpha: alpha)
    }
}

/// Rows in embedding space, row-major.
struct EmbeddedRows: Sendable {
    let count: Int
    let numericWidth: Int
    let categoricalWidth: Int
    /// `count × numericWidth` normalised numeric entries.
    let numeric: [Float]
    /// `count × categoricalWidth` category codes.
    let codes: [Int32]
    /// Per-row scale of the one-hot entries.
    let alpha: [Float]

    /// The first `n` rows (rows are already in random order).
    func prefix(_ n: Int) -> EmbeddedRows {
        let k = min(n, count)
        return EmbeddedRows(count: k, numericWidth: numericWidth, categoricalWidth: categoricalWidth,
                            numeric: Array(numeric.prefix(k * numericWidth)), codes: Array(codes.prefix(k * categoricalWidth)),
                            alpha: Array(alpha.prefix(k)))
    }
}
