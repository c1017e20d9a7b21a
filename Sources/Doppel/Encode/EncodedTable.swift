import DoppelEncoding
import DoppelTable
import Foundation

/// Builds an encoded partition file: integer code columns plus the sub-column cardinalities,
/// stored as JSON in the Arrow schema's custom metadata under `doppel.subcolumns`.
///
/// Every column is written in the narrowest signed integer type that holds it
/// (``CodeWidth``): model sub-columns by their cardinality, plain columns (sequence starts) by
/// their largest value. Readers accept any of int8/16/32/64 (older workspaces hold int64).
struct EncodedTableBuilder {
    private(set) var columns: [(String, Column)] = []
    private(set) var specs: [SubColumnSpec] = []

    /// Adds the sub-columns of one column as `{prefix}{column}__{sub}`.
    mutating func add(_ placed: [PlacedSubColumn], prefix: String, column: String) {
        for sub in placed {
            add(name: "\(prefix)\(column)__\(sub.spec.name)", cardinality: sub.spec.cardinality, codes: sub.codes)
        }
    }

    /// Adds one model sub-column; `codes` is an integer column of the width that
    /// ``CodeWidth/forCardinality(_:)`` gives for `cardinality`.
    mutating func add(name: String, cardinality: Int, codes: Column) {
        precondition(codes.type == CodeWidth.forCardinality(cardinality).dataType, "\(name): \(codes.type) codes for cardinality \(cardinality)")
        columns.append((name, codes))
        specs.append(SubColumnSpec(name, cardinality))
    }

    /// A column that is not a model sub-column (e.g. sequence offsets): not listed in the metadata.
    mutating func addPlain(name: String, values: Column) {
        columns.append((name, values))
    }

    func write(to path: String, layout: String, rowCount: Int) throws {
        let table = columns.isEmpty ? DoppelTable.Table(emptyWithRowCount: rowCount) : try DoppelTable.Table(columns)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(specs), as: UTF8.self)
        try ArrowIPC.write(table, to: path, metadata: [EncodedSchema.subColumnsKey: json, EncodedSchema.layoutKey: layout])
    }
}

/// One sub-column's codes as written to an encoded file (narrowed, and padded for sequences).
struct PlacedSubColumn: Sendable {
    let spec: SubColumnSpec
    let codes: Column
}

/// The integer type of an encoded column: the narrowest signed type that holds its values, so
/// that encoded files (and encode's memory) hold 1 byte per code for most sub-columns instead
/// of 8.
///
/// - Model sub-columns (codes `0 ..< cardinality`): cardinality ≤ 127 → int8, ≤ 32 767 →
///   int16, else int32 (the encoders' codes are Int32).
/// - Plain columns (`__sequence_start`): by their largest value: ≤ 127 → int8, ≤ 32 767 →
///   int16, ≤ 2 147 483 647 → int32, else int64.
enum CodeWidth {
    case int8, int16, int32, int64

    /// The column type of this width.
    var dataType: DataType {
        switch self {
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        }
    }

    static func forCardinality(_ cardinality: Int) -> CodeWidth {
        cardinality <= Int(Int8.max) ? .int8 : cardinality <= Int(Int16.max) ? .int16 : .int32
    }

    static func forMaximum(_ maximum: Int) -> CodeWidth {
        maximum <= Int(Int8.max) ? .int8 : maximum <= Int(Int16.max) ? .int16 : maximum <= Int(Int32.max) ? .int32 : .int64
    }

    /// A column of `count` values of this width, written by `filler` straight into the
    /// column's buffer (no wider intermediate).
    func column(count: Int, _ filler: some CodeFiller) -> Column {
        switch self {
        case .int8: .int8(PrimitiveColumn(values: CodeWidth.fill(Int8.self, count: count, filler)))
        case .int16: .int16(PrimitiveColumn(values: CodeWidth.fill(Int16.self, count: count, filler)))
        case .int32: .int32(PrimitiveColumn(values: CodeWidth.fill(Int32.self, count: count, filler)))
        case .int64: .int64(PrimitiveColumn(values: CodeWidth.fill(Int64.self, count: count, filler)))
        }
    }

    private static func fill<T: FixedWidthInteger>(_ type: T.Type, count: Int, _ filler: some CodeFiller) -> Buffer<T> {
        var builder = BufferBuilder<T>(capacity: count)
        builder.appendUninitialized(count: count) { filler.fill($0) }
        return builder.finish()
    }

    /// `codes` (values in `0 ..< cardinality`) in the width for `cardinality`.
    static func narrowed(_ codes: Buffer<Int32>, cardinality: Int) -> Column {
        forCardinality(cardinality).column(count: codes.count, CopiedCodes(codes: codes, cardinality: cardinality))
    }

    /// `code` as a `T` of the width for `cardinality`. A code outside `0 ..< cardinality` is an
    /// encoder bug: it stops here instead of wrapping around into another, valid-looking code.
    @inline(__always)
    static func checked<T: FixedWidthInteger>(_ code: Int, cardinality: Int) -> T {
        precondition(code >= 0 && code < cardinality, "encoded code \(code) outside 0..<\(cardinality)")
        return T(truncatingIfNeeded: code)
    }

    /// `values` in the width for their largest value.
    static func narrowed(_ values: [Int]) -> Column {
        forMaximum(values.max() ?? 0).column(count: values.count, CopiedValues(values: values))
    }
}

/// Writes the values of one encoded column into a buffer of any integer width (the caller has
/// chosen a width that holds every value).
protocol CodeFiller {
    func fill<T: FixedWidthInteger>(_ out: UnsafeMutableBufferPointer<T>)
}

private struct CopiedCodes: CodeFiller {
    let codes: Buffer<Int32>
    let cardinality: Int

    func fill<T: FixedWidthInteger>(_ out: UnsafeMutableBufferPointer<T>) {
        codes.withUnsafeBufferPointer { source in
            for i in 0..<source.count { out[i] = CodeWidth.checked(Int(source[i]), cardinality: cardinality) }
        }
    }
}

private struct CopiedValues: CodeFiller {
    let values: [Int]

    func fill<T: FixedWidthInteger>(_ out: UnsafeMutableBufferPointer<T>) {
        for i in 0..<values.count { out[i] = T(truncatingIfNeeded: values[i]) }
    }
}

/// How encoded partition files describe themselves (Arrow schema custom metadata).
public enum EncodedSchema {
    /// JSON array `[{"cardinality": 12, "name": "tgt:age__cat"}, …]`: the model sub-columns of
    /// the file in column order.
    public static let subColumnsKey = "doppel.subcolumns"
    /// `flat` (one row per record), `subjects` (one row per subject of sequential data) or
    /// `sequences` (padded target rows of sequential data).
    public static let layoutKey = "doppel.layout"
    /// Column of a `subjects` file: first row of the subject's sequence in the `sequences` file.
    public static let sequenceStartColumn = "__sequence_start"

    /// The sub-columns listed in an encoded file's metadata.
    public static func subColumns(ofFile path: String) throws -> [SubColumnSpec] {
        let metadata = try ArrowIPC.readMetadata(path: path)
        guard let json = metadata[subColumnsKey] else {
            throw PipelineError.workspace("\(path) is not an encoded partition file (no \(subColumnsKey) metadata)")
        }
        return try JSONDecoder().decode([SubColumnSpec].self, from: Data(json.utf8))
    }
}
