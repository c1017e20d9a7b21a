import DoppelEncoding
import Foundation
import DoppelFiles

/// How a column is modelled: the encoding types of `DoppelEncoding`, whose raw values follow the
/// reference engine's names so that metadata and statistics can be compared across engines.
public typealias ColumnEncoding = EncodingType

extension EncodingType {
    /// Parses `TABULAR_NUMERIC_AUTO`, `numeric_auto`, `numeric-auto` or a short alias
    /// (`numeric`, `digit`, `binned`, `discrete`, `datetime`, `relative`, `character`,
    /// `categorical`, `lat_long`), case-insensitively.
    public init?(userText: String) {
        var key = userText.uppercased().replacingOccurrences(of: "-", with: "_")
        if key.hasPrefix("TABULAR_") { key.removeFirst("TABULAR_".count) }
        let aliases = ["NUMERIC": "NUMERIC_AUTO", "DIGIT": "NUMERIC_DIGIT", "BINNED": "NUMERIC_BINNED",
                       "DISCRETE": "NUMERIC_DISCRETE", "RELATIVE": "DATETIME_RELATIVE", "ITT": "DATETIME_RELATIVE",
                       "LATLONG": "LAT_LONG", "CATEGORY": "CATEGORICAL"]
        key = aliases[key] ?? key
        guard let value = EncodingType(rawValue: "TABULAR_" + key) else { return nil }
        self = value
    }

    /// The default for a column of `type`: numbers → numeric (auto), dates and timestamps →
    /// datetime, everything else (text, booleans) → categorical.
    public static func defaultFor(_ type: DataType) -> EncodingType {
        switch type {
        case .int64, .int32, .int16, .int8, .float64: .numericAuto
        case .date, .timestamp: .datetime
        case .string, .bool: .categorical
        }
    }
}

/// `OriginalData/{tgt,ctx}-meta/encoding-types.json`: the modelled columns in model order.
public struct EncodingTypesFile: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public struct Entry: Codable, Sendable, Equatable {
        public var column: String
        public var encoding: ColumnEncoding
        public init(column: String, encoding: ColumnEncoding) {
            self.column = column
            self.encoding = encoding
        }
    }

    public var formatVersion: Int = currentVersion
    public var columns: [Entry]

    public init(columns: [Entry]) { self.columns = columns }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case columns
    }
}

/// `OriginalData/{tgt,ctx}-meta/keys.json`: which columns are keys.
public struct KeysFile: Codable, Sendable, Equatable {
    public static let currentVersion = 1
    public var formatVersion: Int = currentVersion
    /// Unique row identifier of this table, if any.
    public var primaryKey: String?
    /// Target only: the column that refers to the context table's primary key.
    public var contextKey: String?

    public init(primaryKey: String?, contextKey: String?) {
        self.primaryKey = primaryKey
        self.contextKey = contextKey
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case primaryKey = "primary_key"
        case contextKey = "context_key"
    }
}

/// Reads and writes the small JSON metadata files of a workspace (atomically, stable bytes).
enum MetadataJSON {
    static func write<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        try AtomicFile.write(data, to: url.path)
    }

    static func read<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataFileError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw DataFileError(file: url.path, message: "not a valid metadata file: \(error)")
        }
    }
}
