/// The encoding of one column: how it is analysed and turned into integer sub-column codes.
///
/// Raw values match the reference engine's `TABULAR_*` names so that statistics can be
/// cross-checked against it.
public enum EncodingType: String, Codable, Sendable, CaseIterable {
    case categorical = "TABULAR_CATEGORICAL"
    /// Resolved at finalize into discrete, binned or digit (never stored in final stats).
    case numericAuto = "TABULAR_NUMERIC_AUTO"
    case numericDiscrete = "TABULAR_NUMERIC_DISCRETE"
    case numericBinned = "TABULAR_NUMERIC_BINNED"
    case numericDigit = "TABULAR_NUMERIC_DIGIT"
    case datetime = "TABULAR_DATETIME"
    /// Inter-event times of sequences (start date + time since the previous event).
    case datetimeRelative = "TABULAR_DATETIME_RELATIVE"
    case character = "TABULAR_CHARACTER"
    case latLong = "TABULAR_LAT_LONG"

    /// True for the numeric encodings, AUTO included.
    public var isNumeric: Bool {
        switch self {
        case .numericAuto, .numericDiscrete, .numericBinned, .numericDigit: true
        default: false
        }
    }
}
