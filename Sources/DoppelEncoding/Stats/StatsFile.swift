#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The content of `stats.json` (target or context table): versioned, protected statistics of
/// every column in column order. Serialized with sorted keys, so the same statistics always give
/// the same bytes.
public struct StatsFile: Codable, Sendable, Equatable {
    /// Version of this layout; readers reject other versions with a clear error.
    public static let currentFormatVersion = 2

    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var stats: ColumnStats

        public init(name: String, stats: ColumnStats) {
            self.name = name
            self.stats = stats
        }
    }

    public var formatVersion: Int
    public var columns: [Entry]
    /// Target tables only.
    public var sequenceLength: SequenceLengthStats?
    public var trainingRecords: Int
    public var validationRecords: Int
    /// DP budget spent by analyze for this table (`nil` without DP).
    public var valueProtectionEpsilonSpent: Double?

    public init(columns: [Entry], sequenceLength: SequenceLengthStats? = nil, trainingRecords: Int = 0, validationRecords: Int = 0,
                valueProtectionEpsilonSpent: Double? = nil) {
        formatVersion = Self.currentFormatVersion
        self.columns = columns
        self.sequenceLength = sequenceLength
        self.trainingRecords = trainingRecords
        self.validationRecords = validationRecords
        self.valueProtectionEpsilonSpent = valueProtectionEpsilonSpent
    }

    /// Statistics of the column called `name`.
    public func stats(of name: String) -> ColumnStats? { columns.first { $0.name == name }?.stats }

    /// Byte-stable JSON (sorted keys, pretty printed).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(self)
    }

    /// Reads `stats.json`, rejecting foreign or future versions.
    public static func decode(_ data: Data, source: String = "stats.json") throws(EncodingError) -> StatsFile {
        struct Version: Decodable { let formatVersion: Int? }
        let decoder = JSONDecoder()
        guard let version = try? decoder.decode(Version.self, from: data) else {
            throw EncodingError(column: "*", "\(source) is not a JSON statistics file")
        }
        guard version.formatVersion == currentFormatVersion else {
            throw EncodingError(column: "*", "\(source) has format version \(version.formatVersion.map(String.init) ?? "none"); this build reads version \(currentFormatVersion)")
        }
        do {
            return try decoder.decode(StatsFile.self, from: data)
        } catch {
            throw EncodingError(column: "*", "\(source) is corrupt: \(error)")
        }
    }
}
