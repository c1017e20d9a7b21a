import DoppelTable

/// The partial statistics of one column in one partition, for any encoding type.
///
/// Partials hold unprotected data and exist only inside the analyze step: they are merged
/// (associatively, in any grouping) and finalized, never written to the workspace.
public enum PartialStats: Codable, Sendable, Equatable {
    case categorical(CategoricalPartial)
    case numeric(NumericPartial)
    case datetime(DatetimePartial)
    case datetimeRelative(DatetimeRelativePartial)
    case character(CharacterPartial)
    case latLong(LatLongPartial)

    /// Analyzes `column` (one partition) with the declared encoding `type`.
    ///
    /// - Parameter subjects: the privacy unit of each row (see ``SubjectIDs``); sequences for
    ///   datetime-relative columns are the runs of equal subject ids.
    public static func analyze(_ column: Column, as type: EncodingType, subjects: SubjectIDs, name: String) throws(EncodingError) -> PartialStats {
        switch type {
        case .categorical: .categorical(try CategoricalPartial(column: column, subjects: subjects, name: name))
        case .numericAuto, .numericDiscrete, .numericBinned, .numericDigit:
            .numeric(try NumericPartial(column: column, subjects: subjects, declared: type, name: name))
        case .datetime: .datetime(try DatetimePartial(column: column, subjects: subjects, name: name))
        case .datetimeRelative: .datetimeRelative(try DatetimeRelativePartial(column: column, subjects: subjects, name: name))
        case .character: .character(try CharacterPartial(column: column, subjects: subjects, name: name))
        case .latLong: .latLong(try LatLongPartial(column: column, subjects: subjects, name: name))
        }
    }

    /// Merges `other` (same column, another partition or group of partitions) into `self`.
    public mutating func merge(_ other: PartialStats, column: String) throws(EncodingError) {
        do throws(EncodingError) {
            switch (self, other) {
            case (.categorical(var a), .categorical(let b)): try a.merge(b); self = .categorical(a)
            case (.numeric(var a), .numeric(let b)): try a.merge(b); self = .numeric(a)
            case (.datetime(var a), .datetime(let b)): try a.merge(b); self = .datetime(a)
            case (.datetimeRelative(var a), .datetimeRelative(let b)): try a.merge(b); self = .datetimeRelative(a)
            case (.character(var a), .character(let b)): a.merge(b); self = .character(a)
            case (.latLong(var a), .latLong(let b)): a.merge(b); self = .latLong(a)
            default: throw EncodingError(column: column, "cannot merge partials of different encodings")
            }
        } catch {
            throw EncodingError(column: column, error.message)
        }
    }

    /// Applies value protection (and DP when configured) and resolves AUTO numeric columns.
    public func finalize(_ context: FinalizeContext) throws(EncodingError) -> ColumnStats {
        switch self {
        case .categorical(let p): .categorical(p.finalize(context))
        case .numeric(let p):
            switch try p.finalize(context) {
            case .discrete(let s): .numericDiscrete(s)
            case .binned(let s): .numericBinned(s)
            case .digit(let s): .numericDigit(s)
            }
        case .datetime(let p): .datetime(p.finalize(context))
        case .datetimeRelative(let p): .datetimeRelative(p.finalize(context))
        case .character(let p): .character(p.finalize(context))
        case .latLong(let p): .latLong(p.finalize(context))
        }
    }
}
