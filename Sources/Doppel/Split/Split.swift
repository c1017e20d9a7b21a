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
        guard options.partitions >= 1 else { throw PipelineError.invalidOption("--partitions must be at least 1, got \(options.partitions)") }
        guard options.validationFraction >= 0 && options.validationFraction < 1 else {
            throw PipelineError.invalidOption("--val-fraction must be in [0, 1), got \(options.validationFraction)")
        }
        if options.contextPath != nil && (options.contextPrimaryKey == nil || options.contextKey == nil) {
            throw PipelineError.invalidOption("a context table needs --context-primary-key and --context-key")
        }

        progress.message("reading \(options.targetPath)")
        let target = try DataFiles.read(path: options.targetPath, options: options.read)
        try requireColumn(options.primaryKey, in: target, file: options.targetPath, role: "primary key")
        try requireColumn(options.contextKey, in: target, file: options.targetPath, role: "context key")
        if let pk = options.primaryKey {
            try SubjectKeyIndex.requireUnique(target.column(named: pk)!, name: pk, file: options.targetPath)
        }

        // Subjects and, for sequential data, the subject of every target row.
        var context: Table?
        var contextFile = ""
        var contextPrimaryKey: String?
        var subjectOfTargetRow: [Int]?
        if let contextKey = options.contextKey {
            let keyColumn = target.column(named: contextKey)!
            if let contextPath = options.contextPath, let pk = options.contextPrimaryKey {
                progress.message("reading \(contextPath)")
                let table = try DataFiles.read(path: contextPath, options: options.read)
                try requireColumn(pk, in: table, file: contextPath, role: "context primary key")
                context = table
                contextFile = contextPath
                contextPrimaryKey = pk
            } else {
                // Key-only context: the distinct context keys, in order of first appearance.
                let distinct = try SubjectKeyIndex.distinctRows(keyColumn, name: contextKey, file: options.targetPath)
                context = try Table([(contextKey, keyColumn.take(distinct))])
                contextFile = "(distinct values of '\(contextKey)' in \(options.targetPath))"
                contextPrimaryKey = contextKey
            }
            subjectOfTargetRow = try SubjectKeyIndex.resolve(
                primary: context!.column(named: contextPrimaryKey!)!, primaryName: contextPrimaryKey!, primaryFile: contextFile,
                foreign: keyColumn, foreignName: contextKey, foreignFile: options.targetPath)
        }

        let subjectCount = context?.rowCount ?? target.rowCount
        // More partitions than subjects would only write empty files.
        let partitions = min(options.partitions, max(1, subjectCount))
        if partitions < options.partitions {
            progress.message("--partitions \(options.partitions) is more than the \(subjectCount) subjects: writing \(partitions) partition(s)")
        }
        let assignment = SubjectAssignment(subjects: subjectCount, partitions: partitions,
                                           validationFraction: options.validationFraction, seed: options.seed)

        let targetKeys = KeysFile(primaryKey: options.primaryKey, contextKey: options.contextKey)
        let targetEncodings = try encodings(for: target, excluding: [options.primaryKey, options.contextKey].compactMap { $0 },
                                            overrides: options.targetEncodings, file: options.targetPath, sequential: options.contextKey != nil)
        var contextEncodings: [EncodingTypesFile.Entry] = []
        if let context {
            contextEncodings = try encodings(for: context, excluding: [contextPrimaryKey!], overrides: options.contextEncodings,
                                             file: contextFile, sequential: false)
        }

        // Write partitions.
        let workspace = Workspace(path: options.workspace)
        try Workspace.resetDirectory(workspace.dataDirectory(.target))
        try Workspace.resetDirectory(workspace.metaDirectory(.target))
        if context != nil {
            try Workspace.resetDirectory(workspace.dataDirectory(.context))
            try Workspace.resetDirectory(workspace.metaDirectory(.context))
        }
        let targetRowsBySlot: [[Int]]
        if let subjectOfTargetRow {
            targetRowsBySlot = assignment.rowsBySlot(subjectOfRow: subjectOfTargetRow)
        } else {
            targetRowsBySlot = assignment.subjectsBySlot
        }
        let slots = assignment.slotCount
        for slot in 0..<slots {
            let (partition, side) = assignment.slotIdentity(slot)
            progress.step("writing partition \(partition + 1)/\(partitions) (\(side.rawValue))", completed: slot, total: slots)
            let metadata = ["doppel.role": "target", "doppel.side": side.rawValue]
            try ArrowIPC.write(target.take(targetRowsBySlot[slot]).compactingDictionaries(), to: workspace.partitionFile(.target, index: partition, side: side).path, metadata: metadata)
            if let context {
                try ArrowIPC.write(context.take(assignment.subjectsBySlot[slot]).compactingDictionaries(), to: workspace.partitionFile(.context, index: partition, side: side).path,
                                   metadata: ["doppel.role": "context", "doppel.side": side.rawValue])
            }
        }
        progress.step("partitions written", completed: slots, total: slots)

        try MetadataJSON.write(EncodingTypesFile(columns: targetEncodings), to: workspace.metaDirectory(.target).appendingPathComponent("encoding-types.json"))
        try MetadataJSON.write(targetKeys, to: workspace.metaDirectory(.target).appendingPathComponent("keys.json"))
        let contextKeys = KeysFile(primaryKey: contextPrimaryKey, contextKey: nil)
        if context != nil {
            try MetadataJSON.write(EncodingTypesFile(columns: contextEncodings), to: workspace.metaDirectory(.context).appendingPathComponent("encoding-types.json"))
            try MetadataJSON.write(contextKeys, to: workspace.metaDirectory(.context).appendingPathComponent("keys.json"))
        }

        return SplitSummary(
            target: .init(path: options.targetPath, rows: target.rowCount, schema: target.schema, encodings: targetEncodings, keys: targetKeys),
            context: context.map { .init(path: contextFile, rows: $0.rowCount, schema: $0.schema, encodings: contextEncodings, keys: contextKeys) },
            subjects: subjectCount, trainingSubjects: assignment.trainingCount, validationSubjects: subjectCount - assignment.trainingCount,
            partitions: partitions, workspace: options.workspace)
    }

    private static func requireColumn(_ name: String?, in table: Table, file: String, role: String) throws {
        guard let name else { return }
        guard table.schema.index(of: name) != nil else {
            throw PipelineError.invalidOption("\(file): \(role) column '\(name)' not found; columns are \(table.schema.names.joined(separator: ", "))")
        }
    }

    /// Encoding per modelled column: user overrides first (in the table's column order), then
    /// defaults by type; keys are not modelled.
    static func encodings(for table: Table, excluding keys: [String], overrides: [String: ColumnEncoding],
                          file: String, sequential: Bool) throws -> [EncodingTypesFile.Entry] {
        for name in overrides.keys.sorted() where table.schema.index(of: name) == nil {
            throw PipelineError.invalidOption("\(file): encoding type given for unknown column '\(name)'")
        }
        for name in overrides.keys.sorted() where keys.contains(name) {
            throw PipelineError.invalidOption("\(file): '\(name)' is a key column and is not modelled; it takes no encoding type")
        }
        var entries: [EncodingTypesFile.Entry] = []
        for field in table.schema.fields where !keys.contains(field.name) {
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

    /// Target rows per slot (in file order) from each row's subject.
    func rowsBySlot(subjectOfRow: [Int]) -> [[Int]] {
        var bySlot = [[Int]](repeating: [], count: slotCount)
        for (row, subject) in subjectOfRow.enumerated() { bySlot[slotOfSubject[subject]].append(row) }
        return bySlot
    }
}
