import DoppelEncoding
import DoppelTable
import Foundation

/// Builds an encoded partition file: int64 code columns plus the sub-column cardinalities,
/// stored as JSON in the Arrow schema's custom metadata under `doppel.subcolumns`.
struct EncodedTableBuilder {
    private(set) var columns: [(String, Column)] = []
    private(set) var specs: [SubColumnSpec] = []

    /// Adds the sub-columns of one column as `{prefix}{column}__{sub}`.
    mutating func add(_ placed: [PlacedSubColumn], prefix: String, column: String) {
        for sub in placed {
            add(name: "\(prefix)\(column)__\(sub.spec.name)", cardinality: sub.spec.cardinality, codes: sub.codes)
        }
    }

    mutating func add(name: String, cardinality: Int, codes: Buffer<Int64>) {
        columns.append((name, .int64(PrimitiveColumn(values: codes))))
        specs.append(SubColumnSpec(name, cardinality))
    }

    /// A column that is not a model sub-column (e.g. sequence offsets): not listed in the metadata.
    mutating func addPlain(name: String, values: Buffer<Int64>) {
        columns.append((name, .int64(PrimitiveColumn(values: values))))
    }

    func write(to path: String, layout: String, rowCount: Int) throws {
        let table = columns.isEmpty ? DoppelTable.Table(emptyWithRowCount: rowCount) : try DoppelTable.Table(columns)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(specs), as: UTF8.self)
        try ArrowIPC.write(table, to: path, metadata: [EncodedSchema.subColumnsKey: json, EncodedSchema.layoutKey: layout])
    }

    /// Int32 codes as Int64 (our columns have no int32 type yet).
    static func widen(_ codes: Buffer<Int32>) -> Buffer<Int64> {
        var builder = BufferBuilder<Int64>(capacity: codes.count)
        builder.appendUninitialized(count: codes.count) { out in
            codes.withUnsafeBufferPointer { source in
                for i in 0..<source.count { out[i] = Int64(source[i]) }
            }
        }
        return builder.finish()
    }
}

/// One sub-column's codes as written to an encoded file (widened, and padded for sequences).
struct PlacedSubColumn: Sendable {
    let spec: SubColumnSpec
    let codes: Buffer<Int64>
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
