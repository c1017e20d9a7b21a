import DoppelEncoding
import DoppelModel
import DoppelTable
import Foundation

/// Maps workspace files to the model's inputs: the `ModelSchema` from `tgt-stats/stats.json`
/// and the encoded partitions as row-major `EncodedData`.
enum ModelInputs {
    /// One model column per stats column (stats order), its sub-columns in canonical order.
    static func schema(_ stats: StatsFile) -> ModelSchema {
        ModelSchema(columns: stats.columns.map { entry in
            ModelSchema.Column(name: entry.name, subColumns: entry.stats.subColumns.map {
                ModelSchema.SubColumn(name: $0.name, cardinality: $0.cardinality)
            })
        })
    }

    /// The encoded file names `tgt:{column}__{sub}` in schema order.
    static func encodedNames(_ schema: ModelSchema) -> [String] {
        schema.columns.flatMap { column in column.subColumns.map { "tgt:\(column.name)__\($0.name)" } }
    }

    /// All encoded partition files of `side`, concatenated in partition order.
    static func load(_ workspace: Workspace, side: Workspace.Side, schema: ModelSchema) throws -> EncodedData {
        let names = encodedNames(schema)
        var codes: [Int32] = []
        var rows = 0
        for path in try partitionFiles(workspace, side: side) {
            rows += try readCodes(path, names: names, cardinalities: schema.cardinalities, into: &codes)
        }
        return try EncodedData(rowCount: rows, subColumnCount: names.count, codes: codes)
    }

    /// The encoded partition files (`part-NNNNNN-{side}.arrow`) in partition order.
    static func partitionFiles(_ workspace: Workspace, side: Workspace.Side) throws -> [String] {
        let directory = workspace.encodedDataDirectory
        guard FileManager.default.fileExists(atPath: directory.path) else {
            throw PipelineError.workspace("no encoded data in \(directory.path); run `doppel encode` first")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("part-") && $0.hasSuffix("-\(side.rawValue).arrow") }.sorted()
        guard !files.isEmpty else {
            throw PipelineError.workspace("no encoded \(side.rawValue) partitions in \(directory.path); run `doppel encode` first")
        }
        return files.map { directory.appendingPathComponent($0).path }
    }

    /// Appends the code columns `names` of one encoded file to `codes` as row-major rows, after
    /// checking the file's sub-columns (names and cardinalities, in order) and every code;
    /// returns the number of rows.
    static func readCodes(_ path: String, names: [String], cardinalities: [Int], into codes: inout [Int32],
                          table preloaded: Table? = nil) throws -> Int {
        let expected = zip(names, cardinalities).map { SubColumnSpec($0, $1) }
        guard try EncodedSchema.subColumns(ofFile: path) == expected else {
            throw PipelineError.workspace("encoded file \(path) does not match the statistics (other sub-columns or cardinalities); run `doppel encode` again")
        }
        let table = try preloaded ?? ArrowIPC.read(path: path)
        let n = table.rowCount, width = names.count
        let start = codes.count
        codes.append(contentsOf: repeatElement(0, count: n * width))
        for (j, name) in names.enumerated() {
            guard let column = table.column(named: name), column.type.isInteger else {
                throw PipelineError.workspace("encoded file \(path) has no integer column '\(name)'; run `doppel encode` again")
            }
            let cardinality = Int64(cardinalities[j])
            // Codes are int8/16/32 (narrowest for the cardinality) or int64 (older workspaces).
            try codes.withUnsafeMutableBufferPointer { out in
                let place = CodePlacement(out: out, start: start, width: width, column: j, cardinality: cardinality, path: path, name: name)
                switch column {
                case .int8(let c): try place.copy(c.values)
                case .int16(let c): try place.copy(c.values)
                case .int32(let c): try place.copy(c.values)
                case .int64(let c): try place.copy(c.values)
                case .float64, .bool, .string, .timestamp, .date: break
                }
            }
        }
        return n
    }
}

/// Copies one encoded code column into its slot of the row-major code matrix, checking every
/// code against the sub-column's cardinality.
private struct CodePlacement {
    let out: UnsafeMutableBufferPointer<Int32>
    let start: Int
    let width: Int
    let column: Int
    let cardinality: Int64
    let path: String
    let name: String

    func copy<T: FixedWidthInteger>(_ values: Buffer<T>) throws {
        try values.withUnsafeBufferPointer { values in
            for r in 0..<values.count {
                let v = Int64(values[r])
                guard v >= 0 && v < cardinality else {
                    throw PipelineError.workspace("encoded file \(path), column '\(name)', row \(r): code \(v) outside 0..<\(cardinality); run `doppel encode` again")
                }
                out[start + r * width + column] = Int32(truncatingIfNeeded: v)
            }
        }
    }
}
