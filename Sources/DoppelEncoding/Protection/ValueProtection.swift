import DoppelParallel

/// How finalize protects the statistics of a column.
public struct ValueProtection: Sendable, Codable, Equatable {
    /// Rare categories are replaced by `_RARE_` and extremes are clipped (the default).
    public var enabled: Bool
    /// When set, counts, bounds and quantiles are differentially private with this budget for
    /// the column (ε-DP, pure Laplace and exponential mechanisms; no δ is spent).
    public var dpEpsilon: Double?

    public init(enabled: Bool = true, dpEpsilon: Double? = nil) {
        self.enabled = enabled
        self.dpEpsilon = dpEpsilon
    }

    public static let on = ValueProtection()
    public static let off = ValueProtection(enabled: false)

    /// The DP budget when DP is active (protection on and a positive ε).
    var activeEpsilon: Double? {
        guard enabled, let e = dpEpsilon, e > 0, e.isFinite else { return nil }
        return e
    }
}

/// Constants of value protection (reference engine, `_common.py`).
public enum ProtectionConstants {
    /// Categories need this many distinct subjects, plus a uniform 0...2 (so 5, 6 or 7).
    public static let rareThreshold = 5
    /// Noise span of the stochastic rare threshold.
    public static let rareThresholdNoise = 3
    /// With fewer subjects holding a value, min and max are withheld ("protect all").
    public static let minimumSubjectsForBounds = 20
    /// Extremes kept per side and per partial: enough for the 6th–8th most extreme subject and for
    /// the 20-subject rule, so partials stay small whatever the data size.
    public static let extremesPerSide = 32
    /// Distinct subject ids kept per category (a k-minimum sketch): the distinct-subject count is
    /// exact up to this cap under any grouping of partials.
    public static let subjectSketchSize = 32
    /// DP threshold on noisy counts.
    public static let dpRareThreshold = 5
}

/// What finalize needs besides the merged partial: seed, column identity and protection.
public struct FinalizeContext: Sendable {
    public var seed: UInt64
    /// Column name, for errors and for the random stream.
    public var column: String
    public var protection: ValueProtection
    /// Table of the column (`tgt`, `ctx`), so equal column names in two tables draw differently.
    public var table: String

    public init(seed: UInt64, column: String, protection: ValueProtection = .on, table: String = "tgt") {
        self.seed = seed
        self.column = column
        self.protection = protection
        self.table = table
    }

    /// The column's finalize random stream: (seed, "analyze", table, column, purpose).
    func random(_ purpose: String = "") -> SeededRandom {
        SeededRandom.stream(seed: seed, [SeededRandom.identifier("analyze"), SeededRandom.identifier(table),
                                         SeededRandom.identifier(column), SeededRandom.identifier(purpose)])
    }
}

extension SeededRandom {
    /// Stochastic rare threshold `base + U{0, …, noise-1}` (5, 6 or 7 by default).
    mutating func rareThreshold(base: Int = ProtectionConstants.rareThreshold, noise: Int = ProtectionConstants.rareThresholdNoise) -> Int {
        base + uniform(below: noise)
    }
}

/// How a table pair splits the analyze DP budget (reference engine): the target table gets
/// `(targetColumns + 1) / (targetColumns + contextColumns + 1)` of the total (its columns plus the
/// sequence lengths), the context table the rest; within a table the share is split evenly over
/// its mechanisms (columns, plus the sequence lengths for the target).
public struct PrivacyBudget: Sendable, Equatable {
    public var target: Double
    public var context: Double
    public var perTargetColumn: Double
    public var perContextColumn: Double

    public init(total: Double, targetColumns: Int, contextColumns: Int) {
        let denominator = Double(targetColumns + contextColumns + 1)
        target = total * Double(targetColumns + 1) / denominator
        context = total * Double(contextColumns) / denominator
        perTargetColumn = target / Double(targetColumns + 1)
        perContextColumn = contextColumns > 0 ? context / Double(contextColumns) : 0
    }
}
