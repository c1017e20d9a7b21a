import DoppelParallel
import DoppelTable

/// Everything an evaluation produces: the headline metrics plus the details the HTML report
/// draws.
public struct QualityReport: Sendable {
    public var metrics: QualityMetrics
    public var accuracy: AccuracyDetails
    public var coherence: CoherenceDetails?
    public var privacy: PrivacyDetails?
    public var setup: SubjectSetup
    public var rows: (training: Int, holdout: Int, synthetic: Int)
    public var subjects: (original: Int, synthetic: Int)
}

/// Scores synthetic data against the training data it imitates (and, when given, a holdout
/// set the generator never saw): accuracy as defined by mostlyai-qa 1.10 (docs/evaluate.md)
/// and distances to the closest records in a mixed-type embedding.
public enum QualityEvaluator {
    public struct Options: Sendable {
        /// Seed of every random draw (subject rows, triples, samples).
        public var seed: UInt64 = 42
        /// Cap on subjects used for accuracy (`nil` = all).
        public var maxSubjectsAccuracy: Int? = nil
        /// Cap on rows compared by distance (`nil` = the smallest of synthetic, training, holdout).
        public var maxRowsDistances: Int? = nil
        /// Cap on synthetic rows compared by distance, training and holdout staying whole
        /// (and equal in size); training-to-holdout distances then use as many training rows.
        /// A quick check: subsampling training rows would hide copies, this does not.
        public var maxSyntheticRowsDistances: Int? = nil
        /// Cap on subjects used for sequential coherence.
        public var maxSubjectsCoherence: Int? = nil
        /// Whether to compute distances (privacy) at all.
        public var computeDistances = true

        public init() {}
    }

    /// Minimum subjects for a meaningful report (mostlyai-qa's thresholds).
    static let minimumSynthetic = 100, minimumTraining = 90, minimumHoldout = 10

    public static func evaluate(training: EvaluationData, synthetic: EvaluationData, holdout: EvaluationData?,
                                keys: SubjectKeys = .init(), options: Options = .init()) throws -> QualityReport {
        if (training.context != nil || synthetic.context != nil) && keys.targetKey == nil { throw EvaluationError.contextWithoutKey }
        try requireComparable(training.target, synthetic.target, name: "synthetic")
        if let holdout { try requireComparable(training.target, holdout.target, name: "holdout") }
        if let a = training.context, let b = synthetic.context { try requireComparable(a, b, name: "synthetic context") }
        if let a = training.context, let b = holdout?.context { try requireComparable(a, b, name: "holdout context") }
        // Caps below the minimum sizes would score a handful of rows as if they were the data.
        for (name, cap, minimum) in [("--max-distance-rows", options.maxRowsDistances, minimumHoldout),
                                     ("maxSyntheticRowsDistances", options.maxSyntheticRowsDistances, minimumHoldout),
                                     ("maxSubjectsAccuracy", options.maxSubjectsAccuracy, minimumTraining),
                                     ("maxSubjectsCoherence", options.maxSubjectsCoherence, 1)] {
            if let cap, cap < minimum { throw EvaluationError.invalidOption("\(name) must be ≥ \(minimum), got \(cap)") }
        }
        let setup = SubjectSampling.setup(training, keys: keys)

        // Original = training + holdout, subject by subject.
        var originalData = training
        if let holdout {
            originalData.target = try concatenate(training.target, holdout.target, name: "holdout")
            if let c1 = training.context, let c2 = holdout.context {
                originalData.context = try concatenate(c1, c2, name: "holdout context")
            }
        }
        var oriRandom = SeededRandom.stream(seed: options.seed, [1])
        var synRandom = SeededRandom.stream(seed: options.seed, [2])
        var original = try SubjectSampling.frame(originalData, keys: keys, setup: setup, tableName: "original", random: &oriRandom)
        var synth = try SubjectSampling.frame(synthetic, keys: keys, setup: setup, tableName: "synthetic", random: &synRandom)
        try checkSize(synth.subjectCount, minimumSynthetic, "synthetic")
        try checkSize(original.subjectCount, minimumTraining, "training")
        if let cap = options.maxSubjectsAccuracy {
            original = original.sample(cap, random: &oriRandom)
            synth = synth.sample(cap, random: &synRandom)
        }
        for i in original.entries.indices {
            let key = original.entries[i].key
            if let j = synth.entries.firstIndex(where: { $0.key == key }) {
                synth.entries[j].column = synth.entries[j].column.coerced(to: original.entries[i].column.kind)
            }
        }
        SubjectSampling.sampleTextTokens(&original, random: &oriRandom)
        SubjectSampling.sampleTextTokens(&synth, random: &synRandom)

        var tripleRandom = SeededRandom.stream(seed: options.seed, [3])
        let details = AccuracyEvaluation.evaluate(original: original, synthetic: synth, random: &tripleRandom)

        var coherence: CoherenceDetails? = nil
        if setup == .oneToMany, let key = keys.targetKey, training.target.columnCount > 1 {
            var cohRandom = SeededRandom.stream(seed: options.seed, [4])
            coherence = try Coherence.evaluate(original: originalData.target, synthetic: synthetic.target, key: key,
                                               maxSubjects: options.maxSubjectsCoherence, random: &cohRandom)
        }

        var privacy: PrivacyDetails? = nil
        if options.computeDistances {
            var distRandom = SeededRandom.stream(seed: options.seed, [5])
            // A holdout without its own context table shares the training context.
            let holdoutRows = holdout.map { EvaluationData(target: $0.target, context: $0.context ?? training.context) }
            privacy = try PrivacyEvaluation.evaluate(training: training, synthetic: synthetic, holdout: holdoutRows, keys: keys,
                                                     maxRows: options.maxRowsDistances, maxQueries: options.maxSyntheticRowsDistances, random: &distRandom)
        }

        let metrics = QualityMetrics(accuracy: summarize(details, coherence: coherence), distances: privacy?.metrics)
        return QualityReport(metrics: metrics, accuracy: details, coherence: coherence, privacy: privacy, setup: setup,
                             rows: (training.target.rowCount, holdout?.target.rowCount ?? 0, synthetic.target.rowCount),
                             subjects: (original.subjectCount, synth.subjectCount))
    }

    /// Averages as in mostlyai-qa 1.10: bivariate excludes the `nxt` pairs (those are coherence);
    /// overall is the mean of the available univariate, bivariate, trivariate and coherence.
    static func summarize(_ d: AccuracyDetails, coherence: CoherenceDetails?) -> QualityMetrics.Accuracy {
        var a = QualityMetrics.Accuracy()
        a.univariate = mean(d.univariates.map(\.accuracy))
        a.univariateMax = mean(d.univariates.map(\.accuracyMax))
        let biv = d.bivariates.filter { $0.kind != .next }
        a.bivariate = mean(biv.map(\.accuracy))
        a.bivariateMax = mean(biv.map(\.accuracyMax))
        a.trivariate = mean(d.trivariates.map(\.accuracy))
        a.trivariateMax = mean(d.trivariates.map(\.accuracyMax))
        let nxt = d.bivariates.filter { $0.kind == .next }
        if let coherence {
            a.coherence = meanOfAvailable([mean(nxt.map(\.accuracy)), coherence.categoriesPerSequence, coherence.sequencesPerCategory])
            a.coherenceMax = meanOfAvailable([mean(nxt.map(\.accuracyMax)), coherence.categoriesPerSequenceMax, coherence.sequencesPerCategoryMax])
        } else if !nxt.isEmpty {
            a.coherence = mean(nxt.map(\.accuracy))
            a.coherenceMax = mean(nxt.map(\.accuracyMax))
        }
        a.overall = meanOfAvailable([a.univariate, a.bivariate, a.trivariate, a.coherence])
        a.overallMax = meanOfAvailable([a.univariateMax, a.bivariateMax, a.trivariateMax, a.coherenceMax])
        return a
    }

    /// The other table must have the training table's columns and no others, and each column's
    /// values must convert to the training column's type (text such as "n/a" among numbers becomes
    /// missing, as in mostlyai-qa; but when more than a tenth of the values fail, e.g. ages written
    /// "22y", the column is refused): a renamed, missing or retyped column would otherwise be
    /// scored as a difference in the data. The rare-category token `_RARE_`, which generators
    /// (Doppel and the reference engine) write for protected values, is missing, not a failure.
    static func requireComparable(_ training: Table, _ other: Table, name: String) throws {
        for field in training.schema.fields {
            guard let column = other.column(named: field.name) else {
                throw EvaluationError.missingColumn(table: name, column: field.name)
            }
            guard kind(column.type) != kind(field.type) else { continue }
            let rare = (0..<column.count).reduce(0) { n, row in
                if case .string(BinLabel.rare) = column.value(at: row) { return n + 1 }
                return n
            }
            let lost = TypeCoercion.convert(column, to: field.type).nullCount - column.nullCount - rare
            if lost * 10 > max(column.count - column.nullCount, 1) {
                throw EvaluationError.invalidOption("column '\(field.name)': \(lost) of the \(name) data's values are not \(kind(field.type)) like the training data's (the \(name) column holds \(kind(column.type)))")
            }
        }
        let extra = other.schema.names.filter { training.schema.index(of: $0) == nil }
        if !extra.isEmpty {
            throw EvaluationError.invalidOption("the \(name) data has columns the training data lacks: \(extra.map { "'\($0)'" }.joined(separator: ", "))")
        }
    }

    private static func kind(_ type: DataType) -> String {
        switch type {
        case .int8, .int16, .int32, .int64, .float64: "numbers"
        case .string: "text"
        case .bool: "true/false values"
        case .timestamp, .date: "dates and times"
        }
    }

    static func checkSize(_ n: Int, _ minimum: Int, _ name: String) throws {
        if n < minimum { throw EvaluationError.tooFewSubjects(table: name, count: n, minimum: minimum) }
    }

    /// Rows of `b` after rows of `a`; `b`'s columns are taken by `a`'s names and converted to `a`'s types.
    static func concatenate(_ a: Table, _ b: Table, name: String) throws -> Table {
        var columns: [(String, Column)] = []
        for field in a.schema.fields {
            guard let other = b.column(named: field.name) else { throw EvaluationError.missingColumn(table: name, column: field.name) }
            columns.append((field.name, Column.concatenate([a.column(named: field.name)!, TypeCoercion.convert(other, to: field.type)])))
        }
        return try Table(columns)
    }
}

extension SubjectFrame {
    /// A random subset of at most `count` subjects.
    func sample(_ count: Int, random: inout SeededRandom) -> SubjectFrame {
        guard count < subjectCount else { return self }
        let picked = Array(random.permutation(subjectCount).prefix(count))
        return SubjectFrame(entries: entries.map { Entry(role: $0.role, name: $0.name, column: $0.column.take(picked)) }, subjectCount: count)
    }
}
