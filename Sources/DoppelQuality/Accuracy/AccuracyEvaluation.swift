import DoppelParallel

/// Accuracy of one column.
public struct ColumnAccuracy: Sendable, Codable {
    public var column: String
    public var accuracy: Double
    public var accuracyMax: Double

    enum CodingKeys: String, CodingKey {
        case column, accuracy
        case accuracyMax = "accuracy_max"
    }
}

/// Accuracy of a pair of columns; `kind` is `tgt` (two target columns), `ctx` (target and
/// context) or `nxt` (a target column and the same column one row later: coherence).
public struct PairAccuracy: Sendable, Codable {
    public var column1: String
    public var column2: String
    public var kind: ColumnRole
    public var accuracy: Double
    public var accuracyMax: Double

    enum CodingKeys: String, CodingKey {
        case column1 = "col1", column2 = "col2", kind = "type", accuracy
        case accuracyMax = "accuracy_max"
    }
}

/// Binned counts of one target column, for the distribution charts.
public struct BinnedDistribution: Sendable, Codable {
    public var column: String
    public var kind: MetricColumn.Kind
    public var labels: [String]
    public var original: [Int]
    public var synthetic: [Int]
}

/// Univariate, bivariate and trivariate accuracies of synthetic vs original subjects.
public struct AccuracyDetails: Sendable {
    public var univariates: [ColumnAccuracy] = []
    public var bivariates: [PairAccuracy] = []
    public var trivariates: [AccuracyValue] = []
    public var distributions: [BinnedDistribution] = []
}

/// Computes the accuracy figures of mostlyai-qa 1.10 §C–D on two subject frames.
enum AccuracyEvaluation {
    /// At most this many column triples are compared (a seeded random sample).
    static let maxTriples = 10_000

    static func evaluate(original: SubjectFrame, synthetic: SubjectFrame, bins: Int = 10, random: inout SeededRandom) -> AccuracyDetails {
        // Bins come from the original data and are applied to both sides.
        let entries = original.entries
        let binned: [(ori: BinnedColumn, syn: BinnedColumn)] = parallelMap(entries.count) { i in
            let e = entries[i]
            let fitted = ColumnBins(fitting: e.column, bins: bins)
            let synColumn = synthetic.entry(e.key)?.column.coerced(to: e.column.kind) ?? e.column.take([Int](repeating: -1, count: synthetic.subjectCount))
            return (BinnedColumn(name: e.key, bins: fitted, codes: fitted.apply(e.column)),
                    BinnedColumn(name: e.key, bins: fitted, codes: fitted.apply(synColumn)))
        }
        var details = AccuracyDetails()
        let roles = entries.map(\.role)
        let keys = entries.map(\.key)
        let targets = entries.indices.filter { roles[$0] == .target }.sorted { keys[$0] < keys[$1] }
        let contexts = entries.indices.filter { roles[$0] == .context }
        let nexts = entries.indices.filter { roles[$0] == .next }

        @Sendable func accuracy(_ columns: [Int]) -> AccuracyValue {
            DistributionAccuracy.accuracy(
                original: columns.map { binned[$0].ori.codes },
                synthetic: columns.map { binned[$0].syn.codes },
                binCounts: columns.map { binned[$0].ori.bins.binCount })
        }

        let uni = parallelMap(targets.count) { accuracy([targets[$0]]) }
        details.univariates = zip(targets, uni).map { ColumnAccuracy(column: keys[$0], accuracy: $1.accuracy, accuracyMax: $1.accuracyMax) }
        details.distributions = targets.map { i in
            let b = binned[i]
            var o = [Int](repeating: 0, count: b.ori.bins.binCount), s = o
            for c in b.ori.codes { o[Int(c)] += 1 }
            for c in b.syn.codes { s[Int(c)] += 1 }
            return BinnedDistribution(column: keys[i], kind: entries[i].column.kind, labels: b.ori.bins.labels, original: o, synthetic: s)
        }

        var pairs: [(Int, Int, ColumnRole)] = []
        for a in 0..<targets.count { for b in (a + 1)..<max(a + 1, targets.count) { pairs.append((targets[a], targets[b], .target)) } }
        for t in targets { for c in contexts { pairs.append((t, c, .context)) } }
        for t in targets {
            for n in nexts where entries[n].name == entries[t].name { pairs.append((t, n, .next)) }
        }
        let pairList = pairs
        let pairValues = parallelMap(pairList.count) { accuracy([pairList[$0].0, pairList[$0].1]) }
        details.bivariates = zip(pairs, pairValues).map { p, v in
            PairAccuracy(column1: keys[p.0], column2: keys[p.1], kind: p.2, accuracy: v.accuracy, accuracyMax: v.accuracyMax)
        }

        var triples: [(Int, Int, Int)] = []
        if targets.count >= 3 {
            for a in 0..<(targets.count - 2) {
                for b in (a + 1)..<(targets.count - 1) {
                    for c in (b + 1)..<targets.count { triples.append((targets[a], targets[b], targets[c])) }
                }
            }
        }
        if triples.count > maxTriples {
            random.shuffle(&triples)
            triples = Array(triples.prefix(maxTriples))
        }
        let tripleList = triples
        details.trivariates = parallelMap(tripleList.count) { accuracy([tripleList[$0].0, tripleList[$0].1, tripleList[$0].2]) }
        return details
    }
}
