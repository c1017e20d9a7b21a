import DoppelEncoding
import DoppelModel
import DoppelTable
import Foundation

/// Seed data for sequential generation: a table with the context key and some target columns.
/// The rows of one subject, in file order, are its first events; their given columns are fixed
/// while the model draws the rest (``SeededEvents``), and after decoding the given values replace
/// the decoded ones, so they come back verbatim (as the reference engine does). Seeds longer than
/// the maximum sequence length are cut to it; the primary key is regenerated as always.
struct SequenceSeeds {
    let events: SeededEvents
    /// The seed table, typed like the training data, rows grouped by subject.
    let table: Table
    /// The seeded target columns (the context key and the primary key left out).
    let columns: [String]
    /// Per subject: the rows of `table` that seed its first events, in order.
    let rowsOfSubject: [[Int]]

    static func load(path: String, read: DataReadOptions, original: Schema, stats: StatsFile, inputs: SequentialInputs, contextKey: String,
                     primaryKey: String?, subjectKeys: Column, maxLength: Int, seed: UInt64) throws -> SequenceSeeds {
        // Keys compare by their text, so a key read as text matches the same key read as a number.
        var subjectOfKey: [String: Int] = [:]
        for s in 0..<subjectKeys.count { if let v = subjectKeys.value(at: s), subjectOfKey[v.description] == nil { subjectOfKey[v.description] = s } }
        var subjectOfRow: [Int] = []
        let conditions = try SeedConditions.load(path: path, read: read, original: original, stats: stats, schema: ModelInputs.schema(stats),
                                                 seed: seed, arrange: { table in
            guard let keys = table.column(named: contextKey) else {
                throw PipelineError.invalidOption("seed data \(path) has no context-key column '\(contextKey)': every seeded event names its subject")
            }
            subjectOfRow = try (0..<table.rowCount).map { r in
                guard let key = keys.value(at: r), let s = subjectOfKey[key.description] else {
                    throw PipelineError.invalidOption("seed data \(path), row \(r + 1): context key '\(keys.value(at: r)?.description ?? "")' is not one of the subjects generated")
                }
                return s
            }
            let order = subjectOfRow.indices.sorted { (subjectOfRow[$0], $0) < (subjectOfRow[$1], $1) }
            subjectOfRow = order.map { subjectOfRow[$0] }
            return (order, .keys(Buffer(subjectOfRow.map(Int64.init))))
        })
        var rowsOfSubject = [[Int]](repeating: [], count: subjectKeys.count)
        for (r, s) in subjectOfRow.enumerated() where rowsOfSubject[s].count < maxLength { rowsOfSubject[s].append(r) }
        let P = inputs.positional.all.count, width = conditions.fixed.subColumnCount, S = P + width
        var codes: [Int32] = [], start = [0]
        codes.reserveCapacity(subjectOfRow.count * S)
        for rows in rowsOfSubject {
            for r in rows {
                codes += [Int32](repeating: FixedCodes.free, count: P)
                codes += conditions.fixed.codes[(r * width)..<((r + 1) * width)]
            }
            start.append(start.last! + rows.count)
        }
        let columns = conditions.table.schema.names.filter { $0 != contextKey && $0 != primaryKey }
        return SequenceSeeds(events: try SeededEvents(subColumnCount: S, start: start, codes: codes), table: conditions.table,
                             columns: columns, rowsOfSubject: rowsOfSubject)
    }

    /// The seeds of the subjects `range` (renumbered from 0; rows still index ``table``).
    func slice(_ range: Range<Int>) -> SequenceSeeds {
        SequenceSeeds(events: events.slice(range), table: table, columns: columns, rowsOfSubject: Array(rowsOfSubject[range]))
    }

    /// `output` (the decoded events of `generated`, subject by subject) with the seeded values in
    /// place of the decoded ones.
    func overwrite(_ output: Table, generated: SequenceData) throws -> Table {
        let n = output.rowCount
        var source = Array(0..<n)  // output row → row of [decoded | seed table]
        var first = 0
        for s in 0..<generated.subjectCount {
            for (i, r) in rowsOfSubject[s].prefix(generated.length(s)).enumerated() { source[first + i] = n + r }
            first += generated.length(s)
        }
        var named: [(String, Column)] = []
        for (name, column) in zip(output.schema.names, output.columns) {
            guard columns.contains(name), let given = table.column(named: name) else { named.append((name, column)); continue }
            let typed = SyntheticTable.converted(given, to: column.type)
            guard typed.type == column.type else {
                throw PipelineError.invalidOption("seed data: column '\(name)' holds \(given.type) values, the training data \(column.type)")
            }
            named.append((name, Column.concatenate([column, typed]).take(source)))
        }
        return try Table(named)
    }
}
