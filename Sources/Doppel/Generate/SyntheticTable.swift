import DoppelEncoding
import DoppelModel
import DoppelParallel
import DoppelTable
import Foundation

/// Turns generated codes into the output table: every modelled column decoded back to its
/// original type, seeded columns taken verbatim from the seed data (imputed columns: their
/// missing cells from the generated values), a fresh primary key, and the columns in the order
/// of the training data.
enum SyntheticTable {
    static func assemble(codes: EncodedData, stats: StatsFile, schema: ModelSchema, original: Schema, primaryKey: String?,
                         seed: SeedConditions?, randomSeed: UInt64, firstKey: Int = 1, executor: Executor,
                         subjects: SubjectIDs = .rows(first: 0)) throws -> Table {
        let rows = codes.rowCount
        var starts: [Int] = []
        var offset = 0
        for column in schema.columns { starts.append(offset); offset += column.subColumns.count }
        let offsets = starts
        let seeded = Set(seed?.table.schema.names ?? []).subtracting(seed?.imputed ?? [])
        let toDecode = stats.columns.indices.filter { !seeded.contains(stats.columns[$0].name) }
        let decoded = try executor.map(toDecode.count, label: { "decoding column '\(stats.columns[toDecode[$0]].name)'" }) { i -> Column in
            let c = toDecode[i]
            let entry = stats.columns[c]
            let subColumns = schema.columns[c].subColumns.enumerated().map { k, spec in
                SubColumn(spec: SubColumnSpec(spec.name, spec.cardinality), codes: Buffer(codes.column(offsets[c] + k)))
            }
            var random = SeededRandom.stream(seed: randomSeed, [SeededRandom.identifier("decode"), SeededRandom.identifier(entry.name)])
            let column = try entry.stats.decode(EncodedColumn(rowCount: rows, subColumns: subColumns), subjects: subjects,
                                                name: entry.name, random: &random)
            return converted(column, to: original.fields.first { $0.name == entry.name }?.type)
        }
        var byName: [String: Column] = [:]
        for (i, c) in toDecode.enumerated() { byName[stats.columns[c].name] = decoded[i] }
        if let seedTable = seed?.table {
            for (name, column) in zip(seedTable.schema.names, seedTable.columns) {
                if let generated = byName[name], seed?.imputed.contains(name) == true {
                    byName[name] = filled(column, from: generated)
                } else {
                    byName[name] = column
                }
            }
        }
        if let primaryKey, byName[primaryKey] == nil, let field = original.fields.first(where: { $0.name == primaryKey }) {
            byName[primaryKey] = keyColumn(rows: rows, first: firstKey, type: field.type)
        }
        // Training-data order; a column of the data that is neither modelled nor a key is left out.
        let ordered = original.names.compactMap { name in byName[name].map { (name, $0) } }
        return ordered.isEmpty ? Table(emptyWithRowCount: rows) : try Table(ordered)
    }

    /// `seed`'s present values, and `generated`'s where `seed` is missing (imputation).
    static func filled(_ seed: Column, from generated: Column) -> Column {
        let n = seed.count
        let indices = (0..<n).map { seed.isValid($0) ? $0 : n + $0 }
        return Column.concatenate([seed, generated]).take(indices)
    }

    /// A new primary key: `first`, `first + 1`, … as integers for integer keys, as text otherwise.
    static func keyColumn(rows: Int, first: Int, type: DataType) -> Column {
        if type == .int64 { return .int64(PrimitiveColumn(values: Buffer((0..<rows).map { Int64($0 + first) }))) }
        return .string((0..<rows).map { String($0 + first) })
    }

    /// Decoded numbers may come back as the other numeric type (discrete or binned values):
    /// they are converted to the training data's type (float → integer rounds).
    static func converted(_ column: Column, to type: DataType?) -> Column {
        switch (column, type) {
        case (.float64(let c), .int64?):
            return .int64(PrimitiveColumn(values: Buffer(c.values.array.map { $0.isFinite ? Int64(exactly: $0.rounded()) ?? 0 : 0 }), validity: c.validity))
        case (.int64(let c), .float64?):
            return .float64(PrimitiveColumn(values: Buffer(c.values.array.map { Double($0) }), validity: c.validity))
        default:
            return column
        }
    }
}
