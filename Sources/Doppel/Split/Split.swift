import DoppelParallel
import Foundation

/// What `doppel split` needs to know.
public struct SplitOptions: Sendable {
    /// The table to model (flat table, or the event table of sequential data).
    public var targetPath: String
    /// Unique row identifier of the target table; kept in the data, never modelled.
    public var primaryKey: String?
    /// Optional context table: one row per subject.
    public var contextPath: String?
    public var contextPrimaryKey: String?
    /// Target column that refers to the context primary key. Without a context table, a
    /// key-only context is made from its distinct values.
    public var contextKey: String?
    public var workspace: String
    public var partitions: Int = 1
    public var validationFraction: Double = 0.2
    public var seed: UInt64 = 0
    /// Per-column encoding overrides for the target and the context table.
    public var targetEncodings: [String: ColumnEncoding] = [:]
    public var contextEncodings: [String: ColumnEncoding] = [:]
    /// How data files are read (delimiter, NA tokens, column types).
    public var read: DataReadOptions = .init()
    /// How reading runs in parallel (`--backend`, `--jobs`): the default of the file readers.
    public var executor = ExecutorConfiguration()
    /// Rows of the target read and written at a time (Parquet and Arrow inputs; see ``DataFileReader``).
    public var batchRows = 1 << 20

    public init(targetPath: String, workspace: String) {
        self.targetPath = targetPath
        self.workspace = workspace
    }
}

/// What `split` did, for the summary a user sees.
public struct SplitSummary: Sendable {
    public struct TableSummary: Sendable {
        public var path: String
        public var rows: Int
        public var schema: Schema
        public var encodings: [EncodingTypesFile.Entry]
        public var keys: KeysFile
    }

    public var target: TableSummary
    public var context: TableSummary?
    public var subjects: Int
    public var trainingSubjects: Int
    public var validationSubjects: Int
    public var partitions: Int
    public var workspace: String
}

/// The split step: train/validation split by subject, spread over partitions, written as Arrow
/// IPC files with the key and encoding metadata.
///
/// A subject is a row of a flat table, or a context row with all its target rows. Subjects are
/// shuffled with the seeded stream `(seed, "split")`; the first `round((1 - f) · n)` go to
/// training, the rest to validation, and each side is dealt round-robin over the partitions.
/// Rows keep their original order inside each file, so the same seed gives byte-identical files.
public enum Split {
    public static func run(_ options: SplitOptions, progress: ProgressReporter = .silent) throws -> SplitSummary {
        let workspace = Workspace(path: options.workspace)
        let lock = try WorkspaceLock.acquire(workspace, .exclusive, step: "split")
        defer { withExtendedLifetime(lock) {} }
        let stepInput = try StepRecords.begin(.split, workspace)
        let summary = try Executor.withDefault(options.executor) { try runSteps(options, progress: progress) }
        try StepRecords.complete(.split, workspace, input: stepInput)
        return summary
    }

    private static func runSteps(_ options: SplitOptions, progress: ProgressReporter) throws -> SplitSummary {
        guard options.batchRows >= 1 else { throw PipelineError.invalidOption("batch rows must be at least 1, got \(options.batchRows)") }
        guard options.partitions >= 1 else { throw PipelineError.invalidOption("--partitions must be at least 1, got \(options.partitions)") }
        guard options.validationFraction >= 0 && options.validationFraction < 1 else {
            throw PipelineError.invalidOption("--val-fraction must be in [0, 1), got \(options.validationFraction)")
        }
        if options.contextPath != nil && (options.contextPrimaryKey == nil || options.contextKey == nil) {
            throw PipelineError.invalidOption("a context table needs --context-primary-key and --context-key")
        }

        progress.message("reading \(options.targetPath)")
        let target = try DataFileReader(path: options.targetPath, options: options.read)
        try requireColumn(options.primaryKey, in: target.schema, file: options.targetPath, role: "primary key")
        try requireColumn(options.contextKey, in: target.schema, file: options.targetPath, role: "context key")
        // Keys are checked whole before the workspace is touched (a Parquet file reads the key columns alone).
        if let pk = options.primaryKey {
            try SubjectKeyIndex.requireUnique(target.column(named: pk), name: pk, file: options.targetPath)
        }
        let subjects = try readSubjects(options, target: target, progress: progress)
        let context = subjects?.context

        let subjectCount = context?.rowCount ?? target.rowCount
        // More partitions than subjects would only write empty files.
        let partitions = min(options.partitions, max(1, subjectCount))
        if partitions < options.partitions {
            progress.message("--partitions \(options.partitions) is more than the \(subjectCount) subjects: writing \(partitions) partition(s)")
        }
        let assignment = SubjectAssignment(subjects: subjectCount, partitions: partitions,
                                           validationFraction: options.validationFraction, seed: options.seed)

        let targetKeys = KeysFile(primaryKey: options.primaryKey, contextKey: options.contextKey)
        let targetEncodings = try encodings(for: target.schema, excluding: [options.primaryKey, options.contextKey].compactMap { $0 },
                                            overrides: options.targetEncodings, file: options.targetPath, sequential: options.contextKey != nil)
        var contextEncodings: [EncodingTypesFile.Entry] = []
        if let subjects {
            contextEncodings = try encodings(for: subjects.context.schema, excluding: [subjects.primaryKey], overrides: options.contextEncodings,
                                             file: subjects.file, sequential: false)
        }

        let workspace = Workspace(path: options.workspace)
        try Workspace.resetDirectory(workspace.dataDirectory(.target))
        try Workspace.resetDirectory(workspace.metaDirectory(.target))
        if let context {
            try Workspace.resetDirectory(workspace.dataDirectory(.context))
            try Workspace.resetDirectory(workspace.metaDirectory(.context))
            try writeContextPartitions(context, assignment: assignment, workspace: workspace)
        }
        try writeTargetPartitions(target, batchRows: options.batchRows, subjectOfRow: subjects?.subjectOfTargetRow, assignment: assignment,
                                  workspace: workspace, progress: progress)

        try MetadataJSON.write(EncodingTypesFile(columns: targetEncodings), to: workspace.metaDirectory(.target).appendingPathComponent("encoding-types.json"))
        try MetadataJSON.write(targetKeys, to: workspace.metaDirectory(.target).appendingPathComponent("keys.json"))
        let contextKeys = KeysFile(primaryKey: subjects?.primaryKey, contextKey: nil)
        if context != nil {
            try MetadataJSON.write(EncodingTypesFile(columns: contextEncodings), to: workspace.metaDirectory(.context).appendingPathComponent("encoding-types.json"))
            try MetadataJSON.write(contextKeys, to: workspace.metaDirectory(.context).appendingPathComponent("keys.json"))
        }

        return SplitSummary(
            target: .init(path: options.targetPath, rows: target.rowCount, schema: target.schema, encodings: targetEncodings, keys: targetKeys),
            context: subjects.map { .init(path: $0.file, rows: $0.context.rowCount, schema: $0.context.schema, encodings: contextEncodings, keys: contextKeys) },
            subjects: subjectCount, trainingSubjects: assignment.trainingCount, validationSubjects: subjectCount - assignment.trainingCount,
            partitions: partitions, workspace: options.workspace)
    }

    /// The subjects of sequential data: the context table and its primary key, and the subject
    /// (context row) of every target row.
    private struct Subjects {
        let context: Table
        let file: String
        let primaryKey: String
        let subjectOfTargetRow: [Int]
    }

    /// Reads the context table, or (without one) makes the key-only context of the target's
    /// distinct context keys in order of first appearance; `nil` for a flat table.
    private static func readSubjects(_ options: SplitOptions, target: DataFileReader, progress: ProgressReporter) throws -> Subjects? {
        guard let contextKey = options.contextKey else { return nil }
        let keyColumn = try target.column(named: contextKey)
        let context: Table, file: String, primaryKey: String
        if let contextPath = options.contextPath, let pk = options.contextPrimaryKey {
            progress.message("reading \(contextPath)")
            context = try DataFiles.read(path: contextPath, options: options.read)
            try requireColumn(pk, in: context.schema, file: contextPath, role: "context primary key")
            (file, primaryKey) = (contextPath, pk)
        } else {
            let distinct = try SubjectKeyIndex.distinctRows(keyColumn, name: contextKey, file: options.targetPath)
            context = try Table([(contextKey, keyColumn.take(distinct))])
            (file, primaryKey) = ("(distinct values of '\(contextKey)' in \(options.targetPath))", contextKey)
        }
        let subjectOfTargetRow = try SubjectKeyIndex.resolve(primary: context.column(named: primaryKey)!, primaryName: primaryKey, primaryFile: file,
                                                             foreign: keyColumn, foreignName: contextKey, foreignFile: options.targetPath)
        return Subjects(context: context, file: file, primaryKey: primaryKey, subjectOfTargetRow: subjectOfTargetRow)
    }

    /// Writes each slot's subjects (context rows, in file order) as its context partition file.
    private static func writeContextPartitions(_ context: Table, assignment: SubjectAssignment, workspace: Workspace) throws {
        for slot in 0..<assignment.slotCount {
            let (partition, side) = assignment.slotIdentity(slot)
            try ArrowIPC.write(context.take(assignment.subjectsBySlot[slot]).compactingDictionaries(),
                               to: workspace.partitionFile(.context, index: partition, side: side).path,
                               metadata: ["doppel.role": "context", "doppel.side": side.rawValue])
        }
    }

    /// Streams the target's rows into its partition files, a batch at a time: each batch's rows
    /// go to their subject's partition and side, appended as one record batch of that file
    /// (rows keep their file order). `subjectOfRow` gives each target row's subject (sequential
    /// data); a flat table's rows are its subjects.
    private static func writeTargetPartitions(_ target: DataFileReader, batchRows: Int, subjectOfRow: [Int]?,
                                              assignment: SubjectAssignment, workspace: Workspace, progress: ProgressReporter) throws {
        let files = (0..<assignment.slotCount).map { slot in
            let (partition, side) = assignment.slotIdentity(slot)
            return ArrowFileAppender(path: workspace.partitionFile(.target, index: partition, side: side).path, schema: target.schema,
                                     metadata: ["doppel.role": "target", "doppel.side": side.rawValue])
        }
        var firstRow = 0
        try target.forEachBatch(rows: batchRows) { batch, isLast in
            progress.step("writing partitions", completed: firstRow, total: target.rowCount)
            let rows = firstRow..<(firstRow + batch.rowCount)
            let bySlot = subjectOfRow.map { assignment.rowsBySlot(subjectOfRow: $0[rows]) } ?? assignment.rowsBySlot(subjectOfRow: rows)
            for (slot, rows) in bySlot.enumerated() {
                try files[slot].append(batch.take(rows).compactingDictionaries())
                // The last batch closes each file at once, so a one-batch input holds one slot's rows at a time.
                if isLast { try files[slot].finish() }
            }
            firstRow += batch.rowCount
        }
        progress.step("partitions written", completed: target.rowCount, total: target.rowCount)
    }

    private static func requireColumn(_ name: String?, in schema: Schema, file: String, role: String) throws {
        guard let name else { return }
        guard schema.index(of: name) != nil else {
            throw PipelineError.invalidOption("\(file): \(role) column '\(name)' not found; columns are \(schema.names.joined(separator: ", "))")
        }
    }

    /// Encoding per modelled column: user overrides first (in the table's column order), then
    /// defaults by type; keys are not modelled.
    static func encodings(for schema: Schema, excluding keys: [String], overrides: [String: ColumnEncoding],
                          file: String, sequential: Bool) throws -> [EncodingTypesFile.Entry] {
        for name in overrides.keys.sorted() where schema.index(of: name) == nil {
            throw PipelineError.invalidOption("\(file): encoding type given for unknown column '\(name)'")
        }
        for name in overrides.keys.sorted() where keys.contains(name) {
            throw PipelineError.invalidOption("\(file): '\(name)' is a key column and is not modelled; it takes no encoding type")
        }
        var entries: [EncodingTypesFile.Entry] = []
        for field in schema.fields where !keys.contains(field.name) {
            let encoding = overrides[field.name] ?? ColumnEncoding.defaultFor(field.type)
            if encoding.isNumeric && !field.type.isNumeric && field.type != .bool {
                throw PipelineError.invalidOption("\(file): column '\(field.name)' holds \(field.type) values; \(encoding.rawValue) needs numbers (set the column's type when reading, e.g. --column-type \(field.name)=float64)")
            }
            if (encoding == .datetime || encoding == .datetimeRelative) && !field.type.isTemporal {
                throw PipelineError.invalidOption("\(file): column '\(field.name)' holds \(field.type) values; \(encoding.rawValue) needs dates or timestamps")
            }
            if encoding == .datetimeRelative && !sequential {
                throw PipelineError.invalidOption("\(file): column '\(field.name)': TABULAR_DATETIME_RELATIVE needs sequential data (a context key)")
            }
            entries.append(.init(column: field.name, encoding: encoding))
        }
        return entries
    }
}

/// Which partition and side each subject goes to.
struct SubjectAssignment {
    let partitions: Int
    let trainingCount: Int
    /// For slot `2·partition + side`, the subjects in ascending order.
    let subjectsBySlot: [[Int]]
    /// Slot of every subject.
    let slotOfSubject: [Int]

    var slotCount: Int { partitions * 2 }

    init(subjects: Int, partitions: Int, validationFraction: Double, seed: UInt64) {
        self.partitions = partitions
        var random = SeededRandom.stream(seed: seed, [SeededRandom.identifier("split")])
        let order = random.permutation(subjects)
        let training = Int((Double(subjects) * (1 - validationFraction)).rounded())
        trainingCount = training
        var slotOf = [Int](repeating: 0, count: subjects)
        for (position, subject) in order.enumerated() {
            let isTraining = position < training
            let partition = (isTraining ? position : position - training) % partitions
            slotOf[subject] = 2 * partition + (isTraining ? 0 : 1)
        }
        var bySlot = [[Int]](repeating: [], count: partitions * 2)
        for subject in 0..<subjects { bySlot[slotOf[subject]].append(subject) }
        slotOfSubject = slotOf
        subjectsBySlot = bySlot
    }

    func slotIdentity(_ slot: Int) -> (partition: Int, side: Workspace.Side) {
        (slot / 2, slot % 2 == 0 ? .training : .validation)
    }

    /// Rows per slot (positions in `subjectOfRow`, in order) from each row's subject.
    func rowsBySlot(subjectOfRow: some Collection<Int>) -> [[Int]] {
        var bySlot = [[Int]](repeating: [], count: slotCount)
        for (row, subject) in subjectOfRow.enumerated() { bySlot[slotOfSubject[subject]].append(row) }
        return bySlot
    }
}
