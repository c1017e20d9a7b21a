import DoppelEncoding
import DoppelParallel
import DoppelTable
import Foundation

/// One encode task: every column of one partition (target and, for sequential data, context).
/// Small and `Codable`, so that a worker process can run it; it memory-maps the partition files,
/// encodes its columns (in parallel through an executor when it runs alone) and writes the
/// encoded files atomically. Only the row counts come back.
public struct EncodePartitionTask: Codable, Sendable {
    public var workspace: String
    /// Partition file name, e.g. `part-000003-val.arrow`.
    public var file: String
    public var seed: UInt64
    /// Jobs for the per-column loop when this task runs alone.
    public var jobs: Int

    public struct Result: Codable, Sendable {
        /// Rows of the main encoded file (records of flat data, subjects of sequential data).
        public var rows: Int
        /// Padded target rows (sequential data), else 0.
        public var sequenceRows: Int
    }

    public func run() throws -> Result {
        let workspace = Workspace(path: workspace)
        let targetStats = try Encode.readStats(workspace, .target)
        let targetKeys = try MetadataJSON.read(KeysFile.self, from: workspace.keysFile(.target))
        let executor = Executor.sharedThreads(jobs: jobs)
        let output = workspace.encodedDataDirectory.appendingPathComponent(file).path

        guard let contextKey = targetKeys.contextKey,
              FileManager.default.fileExists(atPath: workspace.statsFile(.context).path) else {
            let table = try ArrowIPC.read(path: workspace.dataDirectory(.target).appendingPathComponent(file).path)
            var builder = EncodedTableBuilder()
            let codes = try encodeColumns(table, targetStats, role: .target, executor: executor) { _, spec, codes in CodeWidth.narrowed(codes, cardinality: spec.cardinality) }
            for (entry, placed) in zip(targetStats.columns, codes) { builder.add(placed, prefix: "tgt:", column: entry.name) }
            try builder.write(to: output, layout: "flat", rowCount: table.rowCount)
            return Result(rows: table.rowCount, sequenceRows: 0)
        }

        let contextStats = try Encode.readStats(workspace, .context)
        let contextKeys = try MetadataJSON.read(KeysFile.self, from: workspace.keysFile(.context))
        guard let primaryKey = contextKeys.primaryKey else {
            throw PipelineError.workspace("\(workspace.keysFile(.context).path) names no primary key")
        }
        let sequences = try SubjectSequences(workspace: workspace, file: file, contextKey: contextKey, contextPrimaryKey: primaryKey)
        let maxLength = max(0, targetStats.sequenceLength?.max ?? Int(Int32.max))
        let layout = SequenceLayout(subjectOfRow: sequences.subjectOfRow, subjects: sequences.subjects, maxLength: maxLength)

        // Padded target rows: positional sub-columns first, then the columns in stats order.
        var events = EncodedTableBuilder()
        let positional = PositionalEncoding(maxLength: maxLength)
        positional.add(layout, to: &events)
        // Columns are encoded in file order and scattered to their padded rows; only
        // datetime-relative columns, whose codes depend on the order within each sequence, are
        // gathered into subject order first.
        let relative = Set(targetStats.columns.filter { $0.stats.encodingType == .datetimeRelative }.map(\.name))
        let grouped = relative.isEmpty ? nil : try takeRows(sequences.target, targetStats, relative, layout.keptRows, executor: executor)
        let targetCodes = try encodeColumns(sequences.target, targetStats, role: .target, executor: executor, override: { name in
            guard relative.contains(name), let grouped else { return nil }
            return (grouped.column(named: name), .keys(layout.subjectOfKept))
        }, place: { [names = targetStats.columns.map(\.name)] c, spec, codes in
            layout.scatter(codes, fromKeptRows: relative.contains(names[c]), cardinality: spec.cardinality)
        })
        for (entry, placed) in zip(targetStats.columns, targetCodes) { events.add(placed, prefix: "tgt:", column: entry.name) }
        try events.write(to: Encode.sequencesFile(output), layout: "sequences", rowCount: layout.paddedRowCount)

        // One row per subject: its context codes and where its sequence starts.
        var subjects = EncodedTableBuilder()
        let contextCodes = try encodeColumns(sequences.context, contextStats, role: .context, executor: executor) { _, spec, codes in CodeWidth.narrowed(codes, cardinality: spec.cardinality) }
        for (entry, placed) in zip(contextStats.columns, contextCodes) { subjects.add(placed, prefix: "ctx:", column: entry.name) }
        subjects.addPlain(name: EncodedSchema.sequenceStartColumn, values: CodeWidth.narrowed(Array(layout.start.dropLast())))
        try subjects.write(to: output, layout: "subjects", rowCount: layout.subjectCount)
        return Result(rows: layout.subjectCount, sequenceRows: layout.paddedRowCount)
    }

    /// The columns `selected` of `table`, each row-gathered once (`rows` in order).
    private func takeRows(_ table: DoppelTable.Table, _ stats: StatsFile, _ selected: Set<String>, _ rows: [Int], executor: Executor) throws -> DoppelTable.Table {
        let names = stats.columns.map(\.name).filter { selected.contains($0) }
        let columns = try names.map { name -> Column in
            guard let column = table.column(named: name) else { throw missing(name, role: .target) }
            return column
        }
        let taken = try executor.map(columns.count, label: { "partition file \(file), column '\(names[$0])' (sorting rows by subject)" }) { c in
            columns[c].take(rows)
        }
        return try DoppelTable.Table(Array(zip(names, taken)))
    }

    /// Encodes the stats columns of `table` in stats order, one task per column, and turns each
    /// sub-column's codes into its output column with `place(column index, sub-column, codes)`
    /// inside the task (so the Int32 codes are freed as soon as they are placed, narrowed). `override` gives another
    /// source (and its subjects) for some columns.
    private func encodeColumns(_ table: DoppelTable.Table, _ stats: StatsFile, role: Workspace.Role, executor: Executor,
                               override: (String) -> (Column?, SubjectIDs)? = { _ in nil },
                               place: @escaping @Sendable (Int, SubColumnSpec, Buffer<Int32>) -> Column) throws -> [[PlacedSubColumn]] {
        let entries = stats.columns
        var subjectsOf: [SubjectIDs] = []
        let columns = try entries.map { entry -> Column in
            if let (column, subjects) = override(entry.name), let column {
                subjectsOf.append(subjects)
                return column
            }
            guard let column = table.column(named: entry.name) else { throw missing(entry.name, role: role) }
            subjectsOf.append(.rows(first: 0))
            return column
        }
        let subjects = subjectsOf
        let file = self.file, seed = self.seed
        return try executor.map(entries.count, label: { "\(role.rawValue) partition file \(file), column '\(entries[$0].name)'" }) { c in
            var random = SeededRandom.stream(seed: seed, [SeededRandom.identifier("encode"), SeededRandom.identifier(role.rawValue),
                                                          SeededRandom.identifier(file), SeededRandom.identifier(entries[c].name)])
            let encoded = try entries[c].stats.encode(columns[c], subjects: subjects[c], name: entries[c].name, random: &random)
            return encoded.subColumns.map { PlacedSubColumn(spec: $0.spec, codes: place(c, $0.spec, $0.codes)) }
        }
    }

    private func missing(_ column: String, role: Workspace.Role) -> PipelineError {
        .workspace("\(role.rawValue) partition file \(file) has no column '\(column)', which \(role.rawValue)-stats/stats.json lists; run `doppel split` and `doppel analyze` again")
    }
}
