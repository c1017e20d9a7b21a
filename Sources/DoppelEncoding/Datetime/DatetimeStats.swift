import DoppelParallel
import DoppelTable

/// A datetime column encoded as calendar parts: `nan` (when missing values were seen), `year`,
/// `month`, `day`, then `hour`, `minute`, `second` when times occur, `ms_E2…ms_E0` when
/// milliseconds occur and `us_E2…us_E0` when microseconds occur. Each code is the part minus its
/// lowest value. Values are clipped to the protected bounds (compared as numbers, not strings);
/// without bounds every value decodes to missing.
public struct DatetimeStats: Codable, Sendable, Equatable {
    public var sourceType: DataType
    public var valueProtection: Bool
    public var hasNull: Bool
    /// Protected bounds in microseconds since 1970.
    public var min: Int64?
    public var max: Int64?
    public var hasTime: Bool
    public var hasMs: Bool
    public var hasUs: Bool
    /// Part names in sub-column order, with their lowest and highest values.
    public var parts: [String]
    public var partMin: [Int]
    public var partMax: [Int]

    public var subColumns: [SubColumnSpec] {
        (hasNull ? [SubColumnSpec("nan", 2)] : []) + zip(parts, zip(partMin, partMax)).map { SubColumnSpec($0, $1.1 - $1.0 + 1) }
    }

    var partIndices: [Int] { parts.compactMap { name in DatetimePart.allCases.first { $0.name == name }?.rawValue } }

    public func encode(_ column: Column, name: String, random: inout SeededRandom) throws(EncodingError) -> EncodedColumn {
        let view = try TemporalView(column, name: name)
        let n = view.micros.count
        let matrix = CodeMatrix(columns: subColumns.count, rowCount: n)
        let offset = hasNull ? 1 : 0
        let indices = partIndices
        let present = (0..<n).filter { view.present[$0] }
        let lo = min ?? .min, hi = max ?? .max
        var parts = [Int](repeating: 0, count: DatetimePart.count)
        parts.withUnsafeMutableBufferPointer { p in
            for row in 0..<n {
                var source = row
                if !view.present[row] {
                    if hasNull { matrix.pointers[0][row] = 1 }
                    guard !present.isEmpty else { continue }
                    source = present[random.uniform(below: present.count)]
                }
                let v = Swift.min(Swift.max(view.micros[source], lo), hi)
                DatetimePart.split(v, into: p.baseAddress!)
                for (j, part) in indices.enumerated() {
                    matrix.pointers[offset + j][row] = Int32(Swift.min(Swift.max(p[part] - partMin[j], 0), partMax[j] - partMin[j]))
                }
            }
        }
        return matrix.finish(specs: subColumns)
    }

    public func decode(_ codes: EncodedColumn, name: String) throws(EncodingError) -> Column {
        let specs = subColumns
        var columns: [Buffer<Int32>] = []
        for spec in specs {
            let c = try codes.require(spec.name, column: name)
            for i in 0..<c.count where c[i] < 0 || c[i] >= spec.cardinality {
                throw EncodingError(column: name, "code \(c[i]) of sub-column \(spec.name) at row \(i) is outside 0..<\(spec.cardinality)")
            }
            columns.append(c)
        }
        let offset = hasNull ? 1 : 0
        let indices = partIndices
        var out: [Int64?] = []
        out.reserveCapacity(codes.rowCount)
        var parts = [Int](repeating: 0, count: DatetimePart.count)
        for row in 0..<codes.rowCount {
            guard let lo = min, let hi = max, !(hasNull && columns[0][row] == 1) else { out.append(nil); continue }
            for i in 0..<parts.count { parts[i] = 0 }
            parts[1] = 1
            parts[2] = 1
            for (j, part) in indices.enumerated() { parts[part] = Int(columns[offset + j][row]) + partMin[j] }
            out.append(Swift.min(Swift.max(DatetimePart.compose(parts), lo), hi))
        }
        switch sourceType {
        case .date:
            return .date(out.map { $0.map { Int32(clamping: DatetimePart.floorDiv($0, TemporalFormat.microsPerDay)) } })
        default:
            return .timestamp(out)
        }
    }
}
