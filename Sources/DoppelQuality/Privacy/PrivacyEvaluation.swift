import DoppelParallel
import DoppelTable

/// Distances of synthetic rows to their closest training and holdout records.
public struct PrivacyDetails: Sendable {
    public var metrics: QualityMetrics.Distances
    /// Distance of every compared synthetic row to its closest training row.
    public var dcrTraining: [Float]
    /// … and to its closest holdout row.
    public var dcrHoldout: [Float]?
    /// Rows compared per data set.
    public var rowsCompared: Int
    /// Entries of a row in the embedding: numeric (incl. missing flags) and categorical columns.
    public var numericEntries: Int
    public var categoricalColumns: Int
}

/// Distance-to-closest-record measures (mostlyai-qa 1.10 §G) in Doppel's ``MixedEmbedding``.
enum PrivacyEvaluation {
    static let identicalThreshold: Float = 1e-6

    static func evaluate(training: EvaluationData, synthetic: EvaluationData, holdout: EvaluationData?,
                         keys: SubjectKeys, maxRows: Int?, maxQueries: Int? = nil, random: inout SeededRandom) throws -> PrivacyDetails {
        // Equal sample sizes for a fair three-way comparison.
        let trnSubjects = subjectCount(training, keys: keys)
        var n = min(trnSubjects, subjectCount(synthetic, keys: keys))
        if let holdout { n = min(n, subjectCount(holdout, keys: keys)) }
        if let maxRows { n = min(n, maxRows) }
        let cap = rowsPerSubjectCap(training, keys: keys)

        let trn = try rows(training, keys: keys, subjects: n, cap: cap, name: "training", random: &random)
        let names = trn.names
        let kinds = trn.columns.map(\.kind)
        func aligned(_ data: EvaluationData, _ name: String, random: inout SeededRandom) throws -> [MetricColumn] {
            let r = try rows(data, keys: keys, subjects: n, cap: cap, name: name, random: &random)
            return zip(names, kinds).map { column, kind in
                let i = r.names.firstIndex(of: column)
                return i.map { r.columns[$0].coerced(to: kind) } ?? MetricColumn.missing(kind, count: r.columns.first?.count ?? 0)
            }
        }
        let syn = try aligned(synthetic, "synthetic", random: &random)
        let hol = try holdout.map { try aligned($0, "holdout", random: &random) }

        let reference = names.indices.map { i in MetricColumn.concatenate([trn.columns[i]] + (hol.map { [$0[i]] } ?? [])) }
        let anyMissing = names.indices.map { i in
            ([trn.columns[i], syn[i]] + (hol.map { [$0[i]] } ?? [])).contains { $0.hasMissing }
        }
        let embedding = MixedEmbedding(names: names, reference: reference, anyMissing: anyMissing)
        let eTrn = embedding.embed(trn.columns)
        var eSyn = embedding.embed(syn)
        var eTrnQueries = eTrn
        if let maxQueries, maxQueries < eSyn.count {
            eSyn = eSyn.prefix(maxQueries)
            eTrnQueries = eTrn.prefix(maxQueries)
        }
        let eHol = hol.map { embedding.embed($0) }

        let toTraining = NearestNeighbors(reference: eTrn).search(eSyn)
        var metrics = QualityMetrics.Distances(
            imsTraining: share(toTraining.first) { $0 <= identicalThreshold },
            dcrTraining: meanDistance(toTraining.first),
            nndrTraining: nndr(toTraining))
        var dcrHoldout: [Float]? = nil
        if let eHol {
            let holdoutIndex = NearestNeighbors(reference: eHol)
            let toHoldout = holdoutIndex.search(eSyn)
            let trainingToHoldout = holdoutIndex.search(eTrnQueries)
            metrics.imsHoldout = share(toHoldout.first) { $0 <= identicalThreshold }
            metrics.imsTrainingHoldout = share(trainingToHoldout.first) { $0 <= identicalThreshold }
            metrics.dcrHoldout = meanDistance(toHoldout.first)
            metrics.dcrTrainingHoldout = meanDistance(trainingToHoldout.first)
            metrics.nndrHoldout = nndr(toHoldout)
            metrics.nndrTrainingHoldout = nndr(trainingToHoldout)
            var closer = 0, ties = 0
            for (t, h) in zip(toTraining.first, toHoldout.first) {
                if t < h { closer += 1 } else if t == h { ties += 1 }
            }
            metrics.dcrShare = (Double(closer) + Double(ties) / 2) / Double(max(1, eSyn.count))
            dcrHoldout = toHoldout.first
            // Membership inference: the synthetic rows as the reference, members and non-members as queries.
            let synthetic = NearestNeighbors(reference: eSyn)
            metrics.miaAUC = membershipAUC(members: synthetic.search(eTrnQueries).first,
                                           nonMembers: synthetic.search(eHol.prefix(eTrnQueries.count)).first)
        }
        return PrivacyDetails(metrics: metrics, dcrTraining: toTraining.first, dcrHoldout: dcrHoldout, rowsCompared: eSyn.count,
                              numericEntries: embedding.numericWidth, categoricalColumns: embedding.categoricalWidth)
    }

    static func share(_ values: [Float], _ predicate: (Float) -> Bool) -> Double {
        values.isEmpty ? 0 : Double(values.lazy.filter(predicate).count) / Double(values.count)
    }

    static func meanDistance(_ values: [Float]) -> Double {
        values.isEmpty ? 0 : values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
    }

    /// The distance attack's ROC AUC (after Hilprecht et al., "Monte Carlo and Reconstruction
    /// Membership Inference Attacks against Generative Models", 2019): a row is called a member
    /// the closer its nearest synthetic row is. AUC = P(d_member < d_non-member) + ½·P(equal),
    /// the Mann–Whitney statistic, by one sort of both sets.
    static func membershipAUC(members: [Float], nonMembers: [Float]) -> Double? {
        guard !members.isEmpty, !nonMembers.isEmpty else { return nil }
        let all = members.map { ($0, true) } + nonMembers.map { ($0, false) }
        let sorted = all.sorted { $0.0 < $1.0 }
        // Count, for each member, the non-members strictly farther away (ties count half).
        var wins = 0.0, i = 0
        var nonMembersBelow = 0
        while i < sorted.count {
            var j = i, membersHere = 0, nonMembersHere = 0
            while j < sorted.count && sorted[j].0 == sorted[i].0 {
                if sorted[j].1 { membersHere += 1 } else { nonMembersHere += 1 }
                j += 1
            }
            let farther = nonMembers.count - nonMembersBelow - nonMembersHere
            wins += Double(membersHere) * (Double(farther) + Double(nonMembersHere) / 2)
            nonMembersBelow += nonMembersHere
            i = j
        }
        return wins / (Double(members.count) * Double(nonMembers.count))
    }

    /// The 10th smallest ratio (d₁ + 1e-8)/(d₂ + 1e-8) (the smallest when fewer rows).
    static func nndr(_ d: (first: [Float], second: [Float])) -> Double {
        var ratios = zip(d.first, d.second).map { (Double($0) + 1e-8) / (Double($1) + 1e-8) }
        guard !ratios.isEmpty else { return 0 }
        ratios.sort()
        return ratios[min(9, ratios.count - 1)]
    }

    // MARK: rows to embed

    static func subjectCount(_ data: EvaluationData, keys: SubjectKeys) -> Int {
        guard let key = keys.targetKey, let column = data.target.column(named: key) else { return data.target.rowCount }
        if let ctx = data.context { return ctx.rowCount }
        var index = KeyIndex()
        return Set(index.encode(column).filter { $0 >= 0 }).count
    }

    /// At most min(95th percentile of training sequence lengths, 100) rows per subject.
    static func rowsPerSubjectCap(_ data: EvaluationData, keys: SubjectKeys) -> Int {
        guard let key = keys.targetKey, let column = data.target.column(named: key) else { return 1 }
        var index = KeyIndex()
        var lengths: [Int32: Int] = [:]
        for k in index.encode(column) where k >= 0 { lengths[k, default: 0] += 1 }
        let sorted = lengths.values.sorted()
        guard !sorted.isEmpty else { return 1 }
        let q95 = sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * 0.95).rounded()))]
        return max(1, min(q95, 100))
    }

    /// Up to `subjects` random subjects as rows: flat rows as they are; sequential rows with
    /// their sequence length and the subject's context columns (prefixed `ctx::`).
    static func rows(_ data: EvaluationData, keys: SubjectKeys, subjects: Int, cap: Int, name: String,
                     random: inout SeededRandom) throws -> (names: [String], columns: [MetricColumn]) {
        let target = data.target
        guard let key = keys.targetKey else {
            let picked = Array(random.permutation(target.rowCount).prefix(subjects))
            let names = Array(target.schema.names.sorted().prefix(SubjectFrame.maxColumns))
            return (names, names.map { MetricColumn(target.column(named: $0)!).take(picked) })
        }
        guard let keyColumn = target.column(named: key) else { throw EvaluationError.missingColumn(table: name, column: key) }
        var index = KeyIndex()
        let rowKeys = index.encode(keyColumn)
        var rowsOf: [Int32: [Int]] = [:]
        var order: [Int32] = []
        for (row, k) in rowKeys.enumerated() where k >= 0 {
            if rowsOf[k] == nil { order.append(k) }
            rowsOf[k, default: []].append(row)
        }
        var contextRowOf: [Int32: Int] = [:]
        let pkName = keys.contextPrimaryKey ?? key
        if let ctx = data.context {
            guard let pk = ctx.column(named: pkName) else { throw EvaluationError.missingColumn(table: "\(name) context", column: pkName) }
            for (row, k) in index.encode(pk).enumerated() where k >= 0 { contextRowOf[k] = row }
        }
        random.shuffle(&order)
        var picked: [Int] = [], lengths: [Double] = [], contextRows: [Int] = []
        for k in order.prefix(subjects) {
            var rows = rowsOf[k]!
            let length = rows.count
            if rows.count > cap { random.shuffle(&rows); rows = Array(rows.prefix(cap)) }
            for r in rows {
                picked.append(r)
                lengths.append(Double(length))
                contextRows.append(contextRowOf[k] ?? -1)
            }
        }
        let targetNames = target.schema.names.filter { $0 != key }.sorted().prefix(SubjectFrame.maxColumns)
        var names = [SubjectFrame.sequenceLength]
        var columns = [MetricColumn.numeric(lengths)]
        for n in targetNames { names.append(n); columns.append(MetricColumn(target.column(named: n)!).take(picked)) }
        if let ctx = data.context {
            for n in ctx.schema.names.filter({ $0 != pkName }).sorted().prefix(SubjectFrame.maxColumns) {
                names.append("ctx::" + n)
                columns.append(MetricColumn(ctx.column(named: n)!).take(contextRows))
            }
        }
        return (names, columns)
    }
}

extension MetricColumn {
    /// A column of `count` missing values of `kind`.
    static func missing(_ kind: Kind, count: Int) -> MetricColumn {
        switch kind {
        case .numeric: .numeric([Double](repeating: .nan, count: count))
        case .temporal: .temporal([Double](repeating: .nan, count: count))
        case .categorical: .categorical(codes: [Int32](repeating: -1, count: count), dictionary: [])
        }
    }

    var hasMissing: Bool {
        switch self {
        case .numeric(let v), .temporal(let v): v.contains { $0.isNaN }
        case .categorical(let c, _): c.contains(-1)
        }
    }
}
