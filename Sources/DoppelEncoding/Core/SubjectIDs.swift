import DoppelTable

/// Who each row belongs to: the privacy unit that value protection counts.
///
/// Rare categories and extreme values are protected per *subject* (a person, an account), not per
/// row: a subject with ten events of a rare value still counts once. Flat tables without a key
/// use ``rows(first:)``, which makes every row its own subject; ids must then be unique across
/// partitions, so pass the partition's first global row number.
public enum SubjectIDs: Sendable {
    /// Row `i` belongs to subject `first + i`.
    case rows(first: Int64)
    /// Row `i` belongs to subject `keys[i]` (e.g. the dictionary code or hash of the subject key).
    /// Rows of one subject are expected to be contiguous (as split writes them) where
    /// sequences matter (datetime-relative).
    case keys(Buffer<Int64>)

    /// Subject of `row`.
    @inlinable public func id(_ row: Int) -> Int64 {
        switch self {
        case .rows(let first): first &+ Int64(row)
        case .keys(let keys): keys[row]
        }
    }

    /// True when every row is its own subject.
    public var isRowLevel: Bool { if case .rows = self { true } else { false } }

    /// Checks that keys cover `rowCount` rows.
    func validate(rowCount: Int, column: String) throws(EncodingError) {
        if case .keys(let keys) = self, keys.count != rowCount {
            throw EncodingError(column: column, "subject keys have \(keys.count) rows, the column has \(rowCount)")
        }
    }
}
