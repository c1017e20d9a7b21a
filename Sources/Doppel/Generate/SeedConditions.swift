import DoppelEncoding
import DoppelModel
import DoppelParallel
import DoppelTable
import Foundation

/// Seed data for conditional generation: the seed table read with the training data's column
/// types, and its modelled columns encoded with the statistics into ``FixedCodes`` (the other
/// sub-columns free), so the model generates the remaining columns given them.
struct SeedConditions {
    /// The seed table, columns in its own order, typed like the training data.
    let table: Table
    let fixed: FixedCodes
    /// Columns whose missing cells are generated (imputation); their present cells stay fixed.
    var imputed: Set<String> = []

    /// Reads `path`; every seed column must be a column of the training data (`original`).
    /// `role` names the file in messages; `arrange` reorders the rows and groups them into
    /// subjects (contiguous) for encodings that look at a subject's earlier rows (without it,
    /// file order and each row its own subject).
    /// `impute`: columns whose missing cells are left free (generated) instead of fixed to "missing";
    /// `ignoring`: columns left free whatever the file holds (a prediction's target).
    static func load(path: String, read: DataReadOptions, original: Schema, stats: StatsFile, schema: ModelSchema, seed: UInt64,
                     role: String = "seed data", impute: Set<String> = [], ignoring: Set<String> = [],
                     arrange: ((Table) throws -> (order: [Int], subjects: SubjectIDs))? = nil) throws -> SeedConditions {
        var table = try DataFiles.read(path: path, options: read)
        if try DataFiles.format(of: path) == .csv {
            // Read again with the training data's types, so that e.g. digits stay text where the data had text.
            var typed = read
            for field in original.fields where table.schema.index(of: field.name) != nil { typed.columnTypes[field.name] = field.type }
            if typed.columnTypes != read.columnTypes { table = try DataFiles.read(path: path, options: typed) }
        }
        for name in table.schema.names where original.index(of: name) == nil {
            throw PipelineError.invalidOption("\(role) \(path): column '\(name)' is not a column of the training data (columns: \(original.names.joined(separator: ", ")))")
        }
        var subjectIDs = SubjectIDs.rows(first: 0)
        if let arrange {
            let arranged = try arrange(table)
            table = table.take(arranged.order)
            subjectIDs = arranged.subjects
        }
        var fixed = FixedCodes(rowCount: table.rowCount, subColumnCount: schema.subColumnCount)
        var offset = 0
        for (c, entry) in stats.columns.enumerated() {
            defer { offset += schema.columns[c].subColumns.count }
            guard let column = table.column(named: entry.name), !ignoring.contains(entry.name) else { continue }
            var random = SeededRandom.stream(seed: seed, [SeededRandom.identifier("seed-data"), SeededRandom.identifier(entry.name)])
            let encoded: EncodedColumn
            do {
                encoded = try entry.stats.encode(column, subjects: subjectIDs, name: entry.name, random: &random)
            } catch {
                throw PipelineError.invalidOption("\(role) \(path): \(error)")
            }
            let freeWhenMissing = impute.contains(entry.name)
            for (k, spec) in schema.columns[c].subColumns.enumerated() {
                guard let codes = encoded[spec.name] else {
                    throw PipelineError.workspace("encoding column '\(entry.name)' of the \(role) gave no sub-column '\(spec.name)'")
                }
                for r in 0..<table.rowCount where !(freeWhenMissing && !column.isValid(r)) { fixed[r, offset + k] = codes[r] }
            }
        }
        return SeedConditions(table: table, fixed: fixed, imputed: impute)
    }
}
