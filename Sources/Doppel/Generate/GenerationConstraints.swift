import DoppelEncoding
import DoppelModel
import DoppelParallel

/// What imputation, rebalancing and fairness add to a flat table's sampling: codes never to
/// sample and, per chunk, the rows whose rebalanced or fair values are fixed.
enum GenerationConstraints {
    /// The modelled column `name`: its index and its sub-columns' range in the codes.
    static func column(_ name: String, stats: StatsFile, schema: ModelSchema, option: String) throws -> (index: Int, subColumns: Range<Int>) {
        var offset = 0
        for (c, entry) in stats.columns.enumerated() {
            let n = schema.columns[c].subColumns.count
            if entry.name == name { return (c, offset ..< offset + n) }
            offset += n
        }
        throw PipelineError.invalidOption("\(option) '\(name)' is not a modelled column of the training data (columns: \(stats.columns.map(\.name).joined(separator: ", ")))")
    }

    /// Per sub-column of the imputed columns, the codes that would leave a cell missing or
    /// `_RARE_` (its missing codes and, for categorical and discrete columns, the rare code).
    static func imputationSuppression(_ columns: Set<String>, stats: StatsFile, schema: ModelSchema) throws -> [Int: [Int32]] {
        for name in columns.sorted() { _ = try column(name, stats: stats, schema: schema, option: "--impute:") }
        // The `_RARE_` codes the `sample` replacement suppresses, and each imputed sub-column's missing code.
        let rare = Generate.rareCodes(stats, schema)
        var result: [Int: [Int32]] = [:]
        var offset = 0
        for (c, entry) in stats.columns.enumerated() {
            let subColumns = schema.columns[c].subColumns
            defer { offset += subColumns.count }
            guard columns.contains(entry.name) else { continue }
            let missing = entry.stats.missingCodes
            for (k, spec) in subColumns.enumerated() {
                let codes = Set((missing[spec.name].map { [$0] } ?? []) + (rare[offset + k] ?? [])).sorted()
                if !codes.isEmpty && codes.count < spec.cardinality { result[offset + k] = codes }
            }
        }
        return result
    }

    /// Suppression lists merged (union per sub-column).
    static func merged(_ a: [Int: [Int32]], _ b: [Int: [Int32]]) -> [Int: [Int32]] {
        a.merging(b) { Array(Set($0).union($1)).sorted() }
    }

    /// The rebalanced column's sub-column and the code of each named value.
    struct RebalancedCodes {
        let column: Int
        let subColumn: Int
        let codes: [Int32]
        let shares: [Double]
    }

    /// Resolves `rebalancing` against the statistics: a categorical column and kept categories.
    static func resolve(_ rebalancing: Rebalancing, stats: StatsFile, schema: ModelSchema) throws -> RebalancedCodes {
        let (c, range) = try column(rebalancing.column, stats: stats, schema: schema, option: "--rebalance")
        guard case .categorical(let categorical) = stats.columns[c].stats else {
            throw PipelineError.invalidOption("--rebalance \(rebalancing.column): only categorical columns can be rebalanced (this one is \(stats.columns[c].stats.encodingType.rawValue))")
        }
        let codes = try rebalancing.shares.map { item -> Int32 in
            guard let index = categorical.categories.firstIndex(of: item.value) else {
                throw PipelineError.invalidOption("--rebalance \(rebalancing.column): '\(item.value)' is not a category the model knows (rare values are protected; kept: \(categorical.categories.prefix(20).joined(separator: ", ")))")
            }
            return categorical.firstCategoryCode + Int32(index)
        }
        return RebalancedCodes(column: c, subColumn: range.lowerBound, codes: codes, shares: rebalancing.shares.map(\.share))
    }

    /// Fixed codes of one chunk of `rows` rows: `round(share · rows)` rows (rounded so that the
    /// counts add up) get each named value, at positions from a permutation drawn from `seed`;
    /// the other rows stay free (their named values are suppressed by the caller).
    static func rebalancedChunk(_ r: RebalancedCodes, rows: Int, subColumns: Int, seed: UInt64, chunk: Int) -> FixedCodes {
        var fixed = FixedCodes(rowCount: rows, subColumnCount: subColumns)
        var random = SeededRandom.stream(seed: seed, [SeededRandom.identifier("rebalance"), UInt64(chunk)])
        let positions = random.permutation(rows)
        var next = 0, cumulative = 0.0
        for (code, share) in zip(r.codes, r.shares) {
            cumulative += share
            let end = min(rows, Int((cumulative * Double(rows)).rounded()))
            while next < end {
                fixed[positions[next], r.subColumn] = code
                next += 1
            }
        }
        return fixed
    }
}

extension GenerationConstraints {
    /// The columns of a fairness request, resolved against the statistics.
    struct FairColumns {
        let target: Int
        let targetSubColumns: Range<Int>
        let sensitive: [Int]
        let sensitiveSubColumns: [Range<Int>]
    }

    static func derivedSeed(_ seed: UInt64, _ purpose: String) -> UInt64 {
        var stream = SeededRandom.stream(seed: seed, [SeededRandom.identifier(purpose)])
        return stream.next()
    }

    static func resolve(_ fairness: Fairness, stats: StatsFile, schema: ModelSchema) throws -> FairColumns {
        let target = try column(fairness.target, stats: stats, schema: schema, option: "--fairness-target")
        switch stats.columns[target.index].stats {
        case .categorical, .numericDiscrete: break
        default:
            throw PipelineError.invalidOption("--fairness-target \(fairness.target): only categorical or discrete targets (this one is \(stats.columns[target.index].stats.encodingType.rawValue))")
        }
        let sensitive = try fairness.sensitive.map { try column($0, stats: stats, schema: schema, option: "--sensitive") }
        return FairColumns(target: target.index, targetSubColumns: target.subColumns, sensitive: sensitive.map(\.index),
                           sensitiveSubColumns: sensitive.map(\.subColumns))
    }

    /// Fixed codes of one fair chunk. Two draws from the model give the sensitive values (the
    /// sensitive columns generated first) and a pool of target values from the target's own
    /// marginal (the target generated first, seeing nothing); the pool's shares are then dealt
    /// to every group of rows with equal sensitive values: `round(share · group size)` rows of
    /// each target value (cumulated), at positions from a seeded permutation. The caller
    /// generates the other columns given both.
    static func fairChunk(_ f: FairColumns, model: FlatModel, rows: Int, sampling: SamplingOptions, chunk: Int) throws -> FixedCodes {
        let S = model.schema.subColumnCount
        var first = sampling
        first.leadingColumns = f.sensitive
        first.seed = derivedSeed(sampling.seed, "fair-sensitive")
        let sensitiveDraw = try Sampler.generate(model: model, rows: rows, options: first)
        var marginal = sampling
        marginal.leadingColumns = [f.target]
        marginal.seed = derivedSeed(sampling.seed, "fair-target")
        let targetDraw = try Sampler.generate(model: model, rows: rows, options: marginal)

        var fixed = FixedCodes(rowCount: rows, subColumnCount: S)
        var groups: [[Int32]: [Int]] = [:]
        for r in 0..<rows {
            var key: [Int32] = []
            for range in f.sensitiveSubColumns { for j in range { fixed[r, j] = sensitiveDraw[r, j]; key.append(sensitiveDraw[r, j]) } }
            groups[key, default: []].append(r)
        }
        // The target values of the pool (all sub-columns of the target, as one value) and their shares.
        let values = (0..<rows).map { r in f.targetSubColumns.map { targetDraw[r, $0] } }
        var counts: [[Int32]: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        let pool = counts.keys.sorted { $0.lexicographicallyPrecedes($1) }
        var random = SeededRandom.stream(seed: sampling.seed, [SeededRandom.identifier("fair-deal"), UInt64(chunk)])
        for key in groups.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let members = groups[key]!
            let positions = random.permutation(members.count)
            var next = 0, cumulative = 0
            for value in pool {
                cumulative += counts[value]!
                let end = Int((Double(cumulative) / Double(rows) * Double(members.count)).rounded())
                while next < end {
                    for (k, j) in f.targetSubColumns.enumerated() { fixed[members[positions[next]], j] = value[k] }
                    next += 1
                }
            }
        }
        return fixed
    }
}
