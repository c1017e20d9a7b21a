import DoppelParallel
import DoppelTable

/// Sequential coherence details (mostlyai-qa 1.10 §D, sequential data only).
public struct CoherenceDetails: Sendable {
    /// Per column: accuracy of the distribution of distinct (binned) values per sequence.
    public var categoriesPerSequenceColumns: [ColumnAccuracy]
    /// Per column: accuracy of the number of sequences containing each top category.
    public var sequencesPerCategoryColumns: [ColumnAccuracy]

    public var categoriesPerSequence: Double? { mean(categoriesPerSequenceColumns.map(\.accuracy)) }
    public var categoriesPerSequenceMax: Double? { mean(categoriesPerSequenceColumns.map(\.accuracyMax)) }
    public var sequencesPerCategory: Double? { mean(sequencesPerCategoryColumns.map(\.accuracy)) }
    public var sequencesPerCategoryMax: Double? { mean(sequencesPerCategoryColumns.map(\.accuracyMax)) }
}

/// Coherence of sequences: rows of up to `maxSubjects` subjects (at most 100 random rows
/// each), every column binned (numbers and times into 30 bins fitted on the original,
/// categories kept as they are), then
/// 1. distinct categories per sequence: per column, the number of distinct bins per subject,
///    binned again into 10 bins, compared as a univariate distribution;
/// 2. sequences per distinct category: per column, for the 9 categories found in most original
///    subjects plus `(other)`, the number of subjects containing each, compared as a
///    distribution.
enum Coherence {
    static let maxSequenceLength = 100

    static func evaluate(original: Table, synthetic: Table, key: String, maxSubjects: Int?, random: inout SeededRandom) throws -> CoherenceDetails {
        let ori = try sample(original, key: key, maxSubjects: maxSubjects, name: "original", random: &random)
        let syn = try sample(synthetic, key: key, maxSubjects: maxSubjects, name: "synthetic", random: &random)
        let names = original.schema.names.filter { $0 != key }.sorted().prefix(SubjectFrame.maxColumns)
        var perSequence: [ColumnAccuracy] = [], perCategory: [ColumnAccuracy] = []
        for name in names {
            let oCol = MetricColumn(original.column(named: name)!).take(ori.rows)
            let sCol = (synthetic.column(named: name).map { MetricColumn($0).take(syn.rows) } ?? MetricColumn.missing(oCol.kind, count: syn.rows.count)).coerced(to: oCol.kind)
            let (oCodes, sCodes, binCount) = binForCoherence(oCol, sCol)

            // 1. distinct bins per subject, binned into 10 bins fitted on the original.
            let oDistinct = distinctPerSubject(oCodes, subjects: ori.subjectOfRow, subjectCount: ori.subjectCount, binCount: binCount)
            let sDistinct = distinctPerSubject(sCodes, subjects: syn.subjectOfRow, subjectCount: syn.subjectCount, binCount: binCount)
            let bins = ColumnBins(fitting: .numeric(oDistinct), bins: 10)
            let a = DistributionAccuracy.accuracy(original: [bins.apply(.numeric(oDistinct))], synthetic: [bins.apply(.numeric(sDistinct))], binCounts: [bins.binCount])
            perSequence.append(ColumnAccuracy(column: name, accuracy: a.accuracy, accuracyMax: a.accuracyMax))

            // 2. subjects per category: top 9 by original subject count + (other).
            let oSubjects = subjectsPerBin(oCodes, subjects: ori.subjectOfRow, subjectCount: ori.subjectCount, binCount: binCount)
            let sSubjects = subjectsPerBin(sCodes, subjects: syn.subjectOfRow, subjectCount: syn.subjectCount, binCount: binCount)
            let top = Array(oSubjects.indices.filter { oSubjects[$0] > 0 }.sorted { oSubjects[$0] != oSubjects[$1] ? oSubjects[$0] > oSubjects[$1] : $0 < $1 }.prefix(9))
            let isTop = Set(top)
            let hasOther = oSubjects.indices.contains { !isTop.contains($0) && oSubjects[$0] > 0 } || sSubjects.indices.contains { !isTop.contains($0) && sSubjects[$0] > 0 }
            let oOther = countSubjectsOutside(oCodes, top: isTop, subjects: ori.subjectOfRow, subjectCount: ori.subjectCount)
            let sOther = countSubjectsOutside(sCodes, top: isTop, subjects: syn.subjectOfRow, subjectCount: syn.subjectCount)
            let oCounts = top.map { oSubjects[$0] } + (hasOther ? [oOther] : [])
            let sCounts = top.map { sSubjects[$0] } + (hasOther ? [sOther] : [])
            let c = DistributionAccuracy.compare(oCounts, sCounts)
            perCategory.append(ColumnAccuracy(column: name, accuracy: c.accuracy, accuracyMax: c.accuracyMax))
        }
        return CoherenceDetails(categoriesPerSequenceColumns: perSequence, sequencesPerCategoryColumns: perCategory)
    }

    /// Codes per row: numbers and times in 30 bins fitted on the original; categories by value.
    static func binForCoherence(_ o: MetricColumn, _ s: MetricColumn) -> ([UInt16], [UInt16], Int) {
        switch o {
        case .numeric, .temporal:
            let bins = ColumnBins(fitting: o, bins: 30)
            return (bins.apply(o), bins.apply(s), bins.binCount)
        case .categorical:
            let merged = MetricColumn.concatenate([o, s])
            guard case .categorical(let codes, let dict) = merged else { return ([], [], 0) }
            // Missing gets the last code.
            let missing = dict.count
            let mapped = codes.map { UInt16(clamping: $0 >= 0 ? Int($0) : missing) }
            return (Array(mapped[0..<o.count]), Array(mapped[o.count...]), dict.count + 1)
        }
    }

    static func distinctPerSubject(_ codes: [UInt16], subjects: [Int], subjectCount: Int, binCount: Int) -> [Double] {
        var seen = Set<Int>()
        var counts = [Double](repeating: 0, count: subjectCount)
        for (row, code) in codes.enumerated() where seen.insert(subjects[row] * (binCount + 1) + Int(code)).inserted {
            counts[subjects[row]] += 1
        }
        return counts
    }

    static func subjectsPerBin(_ codes: [UInt16], subjects: [Int], subjectCount: Int, binCount: Int) -> [Int] {
        var seen = Set<Int>()
        var counts = [Int](repeating: 0, count: binCount)
        for (row, code) in codes.enumerated() where seen.insert(subjects[row] * (binCount + 1) + Int(code)).inserted {
            counts[Int(code)] += 1
        }
        return counts
    }

    static func countSubjectsOutside(_ codes: [UInt16], top: Set<Int>, subjects: [Int], subjectCount: Int) -> Int {
        var hit = [Bool](repeating: false, count: subjectCount)
        for (row, code) in codes.enumerated() where !top.contains(Int(code)) { hit[subjects[row]] = true }
        return hit.lazy.filter { $0 }.count
    }

    /// Rows of up to `maxSubjects` random subjects, at most 100 random rows each.
    static func sample(_ table: Table, key: String, maxSubjects: Int?, name: String, random: inout SeededRandom)
        throws -> (rows: [Int], subjectOfRow: [Int], subjectCount: Int) {
        guard let keyColumn = table.column(named: key) else { throw EvaluationError.missingColumn(table: name, column: key) }
        var index = KeyIndex()
        var rowsOf: [Int32: [Int]] = [:]
        var order: [Int32] = []
        for (row, k) in index.encode(keyColumn).enumerated() where k >= 0 {
            if rowsOf[k] == nil { order.append(k) }
            rowsOf[k, default: []].append(row)
        }
        random.shuffle(&order)
        if let maxSubjects { order = Array(order.prefix(maxSubjects)) }
        var rows: [Int] = [], subjectOfRow: [Int] = []
        for (s, k) in order.enumerated() {
            var r = rowsOf[k]!
            random.shuffle(&r)
            for row in r.prefix(maxSequenceLength) { rows.append(row); subjectOfRow.append(s) }
        }
        return (rows, subjectOfRow, order.count)
    }
}
