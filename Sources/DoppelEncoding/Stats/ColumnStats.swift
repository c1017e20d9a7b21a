import DoppelParallel
import DoppelTable

/// The final, protected statistics of one column: everything encode and decode need.
///
/// Stored in `stats.json` as `{"encodingType": "TABULAR_…", "stats": {…}}`.
public enum ColumnStats: Sendable, Equatable {
    case categorical(CategoricalStats)
    case numericDiscrete(DiscreteStats)
    case numericBinned(BinnedStats)
    case numericDigit(DigitStats)
    case datetime(DatetimeStats)
    case datetimeRelative(DatetimeRelativeStats)
    case character(CharacterStats)
    case latLong(LatLongStats)

    /// The resolved encoding (never AUTO).
    public var encodingType: EncodingType {
        switch self {
        case .categorical: .categorical
        case .numericDiscrete: .numericDiscrete
        case .numericBinned: .numericBinned
        case .numericDigit: .numericDigit
        case .datetime: .datetime
        case .datetimeRelative: .datetimeRelative
        case .character: .character
        case .latLong: .latLong
        }
    }

    /// Sub-columns in canonical order with their cardinalities (what sizes the model).
    public var subColumns: [SubColumnSpec] {
        switch self {
        case .categorical(let s): s.subColumns
        case .numericDiscrete(let s): s.subColumns
        case .numericBinned(let s): s.subColumns
        case .numericDigit(let s): s.subColumns
        case .datetime(let s): s.subColumns
        case .datetimeRelative(let s): s.subColumns
        case .character(let s): s.subColumns
        case .latLong(let s): s.subColumns
        }
    }

    /// The code of each sub-column that makes the column decode to a missing value: the
    /// `<<NULL>>` code of categorical, discrete and binned columns, the set `nan` flag of the
    /// others; empty when no missing value was seen in analyze (then none is ever generated).
    /// Imputation never samples these.
    public var missingCodes: [String: Int32] {
        switch self {
        case .categorical(let s): s.hasNull ? ["cat": CategoricalStats.nullCode] : [:]
        case .numericDiscrete(let s): s.hasNull ? ["cat": 1] : [:]
        case .numericBinned(let s): s.nullCode.map { ["bin": $0] } ?? [:]
        case .numericDigit(let s): s.hasNull ? ["nan": 1] : [:]
        case .datetime(let s): s.hasNull ? ["nan": 1] : [:]
        case .datetimeRelative(let s): s.hasNull ? ["nan": 1] : [:]
        case .character(let s): s.hasNull ? ["nan": 1] : [:]
        case .latLong(let s): s.hasNull ? ["nan": 1] : [:]
        }
    }

    /// Encodes a chunk of the column. `random` imputes missing values where the encoding fills
    /// them with a random present value; derive it per task, e.g.
    /// `SeededRandom.stream(seed: seed, [identifier("encode"), partition, identifier(column)])`, so
    /// the codes do not depend on scheduling. `subjects` delimit sequences (datetime-relative only).
    public func encode(_ column: Column, subjects: SubjectIDs, name: String, random: inout SeededRandom) throws(EncodingError) -> EncodedColumn {
        switch self {
        case .categorical(let s): try s.encode(column, name: name)
        case .numericDiscrete(let s): try s.encode(column, name: name)
        case .numericBinned(let s): try s.encode(column, name: name)
        case .numericDigit(let s): try s.encode(column, name: name, random: &random)
        case .datetime(let s): try s.encode(column, name: name, random: &random)
        case .datetimeRelative(let s): try s.encode(column, subjects: subjects, name: name, random: &random)
        case .character(let s): try s.encode(column, name: name, random: &random)
        case .latLong(let s): try s.encode(column, name: name, random: &random)
        }
    }

    /// Decodes codes back to a column of the original type (text for lat/long; int64 / float64
    /// for numbers, timestamps or dates for datetimes).
    public func decode(_ codes: EncodedColumn, subjects: SubjectIDs, name: String, random: inout SeededRandom) throws(EncodingError) -> Column {
        switch self {
        case .categorical(let s): try s.decode(codes, name: name)
        case .numericDiscrete(let s): try s.decode(codes, name: name, random: &random)
        case .numericBinned(let s): try s.decode(codes, name: name, random: &random)
        case .numericDigit(let s): try s.decode(codes, name: name)
        case .datetime(let s): try s.decode(codes, name: name)
        case .datetimeRelative(let s): try s.decode(codes, subjects: subjects, name: name)
        case .character(let s): try s.decode(codes, name: name)
        case .latLong(let s): try s.decode(codes, name: name)
        }
    }
}

extension ColumnStats: Codable {
    private enum Keys: String, CodingKey { case encodingType, stats }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        switch try c.decode(EncodingType.self, forKey: .encodingType) {
        case .categorical: self = .categorical(try c.decode(CategoricalStats.self, forKey: .stats))
        case .numericDiscrete: self = .numericDiscrete(try c.decode(DiscreteStats.self, forKey: .stats))
        case .numericBinned: self = .numericBinned(try c.decode(BinnedStats.self, forKey: .stats))
        case .numericDigit: self = .numericDigit(try c.decode(DigitStats.self, forKey: .stats))
        case .datetime: self = .datetime(try c.decode(DatetimeStats.self, forKey: .stats))
        case .datetimeRelative: self = .datetimeRelative(try c.decode(DatetimeRelativeStats.self, forKey: .stats))
        case .character: self = .character(try c.decode(CharacterStats.self, forKey: .stats))
        case .latLong: self = .latLong(try c.decode(LatLongStats.self, forKey: .stats))
        case .numericAuto:
            throw DecodingError.dataCorruptedError(forKey: .encodingType, in: c, debugDescription: "final statistics never carry TABULAR_NUMERIC_AUTO")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(encodingType, forKey: .encodingType)
        switch self {
        case .categorical(let s): try c.encode(s, forKey: .stats)
        case .numericDiscrete(let s): try c.encode(s, forKey: .stats)
        case .numericBinned(let s): try c.encode(s, forKey: .stats)
        case .numericDigit(let s): try c.encode(s, forKey: .stats)
        case .datetime(let s): try c.encode(s, forKey: .stats)
        case .datetimeRelative(let s): try c.encode(s, forKey: .stats)
        case .character(let s): try c.encode(s, forKey: .stats)
        case .latLong(let s): try c.encode(s, forKey: .stats)
        }
    }
}
