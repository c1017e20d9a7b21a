import DoppelTable

/// Partial statistics of a categorical column: distinct subjects per category (exact counts,
/// one entry per distinct value) and the missing values.
public struct CategoricalPartial: Codable, Sendable, Equatable {
    public var sourceType: DataType
    public var rows: Int
    public var nulls: SubjectCount
    public var values: [String: SubjectCount]

    /// Counts the values of `column`, each subject once per category.
    public init(column: Column, subjects: SubjectIDs, name: String) throws(EncodingError) {
        try subjects.validate(rowCount: column.count, column: name)
        let contiguous = subjects.runsAreContiguous(rowCount: column.count)
        sourceType = column.type
        rows = column.count
        let distinct = DistinctValues(column)
        var counter = SubjectCounter<Int32>(rowLevel: subjects.isRowLevel, contiguous: contiguous)
        for (row, id) in distinct.ids.enumerated() { counter.add(id, subject: subjects.id(row)) }
        nulls = counter.counts[-1] ?? SubjectCount()
        values = [:]
        // Canonically equivalent spellings (e.g. precomposed and decomposed "é") are one category.
        for (id, count) in counter.counts where id >= 0 { values[distinct.labels[Int(id)], default: SubjectCount()].merge(count) }
    }

    public mutating func merge(_ other: CategoricalPartial) throws(EncodingError) {
        guard sourceType == other.sourceType else { throw EncodingError(column: "", "cannot merge \(sourceType) and \(other.sourceType) partials") }
        rows += other.rows
        nulls.merge(other.nulls)
        mergeCounts(&values, other.values)
    }

    /// Applies rare-category protection: a category is kept when at least 5–7 distinct subjects
    /// hold it (stochastic threshold), or, with DP, when its Laplace-noised subject count reaches 5.
    public func finalize(_ context: FinalizeContext) -> CategoricalStats {
        var random = context.random("categorical")
        let sorted = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var kept: [String]
        if let epsilon = context.protection.activeEpsilon {
            kept = DifferentialPrivacy.nonRare(sorted.map { ($0, values[$0]!.subjects) }, epsilon: epsilon,
                                               threshold: ProtectionConstants.dpRareThreshold, random: &random).kept
        } else if context.protection.enabled {
            let t = random.rareThreshold()
            kept = sorted.filter { values[$0]!.distinctSubjects >= t }
        } else {
            kept = sorted
        }
        return CategoricalStats(sourceType: sourceType, valueProtection: context.protection.enabled, hasNull: nulls.rows > 0,
                                categories: kept, rareCategoryCount: sorted.count - kept.count)
    }
}
