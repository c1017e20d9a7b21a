import Foundation
import DoppelEncoding
import DoppelParallel

/// What `doppel analyze` needs to know.
public struct AnalyzeOptions: Sendable {
    public var workspace: String
    /// Rare categories and extreme values are protected (the default); off keeps every value.
    public var valueProtection: Bool = true
    /// Total differential-privacy budget ε of the analyze step (split over tables and columns
    /// like the reference engine, see ``PrivacyBudget``); `nil`: no DP.
    public var dpEpsilon: Double?
    /// Seed of every random decision of finalize (rare thresholds, DP noise).
    public var seed: UInt64 = 0
    /// Backend and number of jobs of the per partition × column tasks.
    public var executor: ExecutorConfiguration = .init()

    public init(workspace: String) { self.workspace = workspace }
}

/// What analyze found, for the summary a user sees.
public struct AnalyzeSummary: Sendable {
    public struct ColumnSummary: Sendable {
        public var name: String
        /// The encoding declared in `encoding-types.json` (may be AUTO).
        public var declared: EncodingType
        /// The final statistics (resolved encoding, sub-columns and cardinalities).
        public var stats: ColumnStats
    }

    public struct TableSummary: Sendable {
        public var role: Workspace.Role
        public var columns: [ColumnSummary]
        public var trainingRecords: Int
        public var validationRecords: Int
        public var sequenceLength: SequenceLengthStats?
        /// Path of the `stats.json` written.
        public var statsPath: String
    }

    public var target: TableSummary
    public var context: TableSummary?
    public var partitionFiles: Int
    public var backend: String
    public var jobs: Int
}

extension Workspace {
    /// `ModelStore/{tgt,ctx}-stats`.
    public func statsDirectory(_ role: Role) -> URL {
        modelStore.appendingPathComponent("\(role.rawValue)-stats", isDirectory: true)
    }

    /// `ModelStore/{tgt,ctx}-stats/stats.json`: the protected statistics of analyze.
    public func statsFile(_ role: Role) -> URL {
        statsDirectory(role).appendingPathComponent("stats.json")
    }

    /// `OriginalData/encoded-data`: the integer codes written by encode.
    public var encodedDataDirectory: URL {
        originalData.appendingPathComponent("encoded-data", isDirectory: true)
    }

    /// `OriginalData/{tgt,ctx}-meta/encoding-types.json`.
    func encodingTypesFile(_ role: Role) -> URL { metaDirectory(role).appendingPathComponent("encoding-types.json") }

    /// `OriginalData/{tgt,ctx}-meta/keys.json`.
    func keysFile(_ role: Role) -> URL { metaDirectory(role).appendingPathComponent("keys.json") }
}
