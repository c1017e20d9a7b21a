import DoppelEncoding
import DoppelParallel
import DoppelTable
import Foundation

/// One analyze task: some modelled columns of one partition file (the file is read once per
/// task, so a wide table costs one read per group of columns, not one per column). Small and
/// `Codable`, so that it can be sent to a worker process, which memory-maps the file itself.
public struct AnalyzeColumnTask: Codable, Sendable {
    public var workspace: String
    /// `tgt` or `ctx`.
    public var role: String
    /// Partition file name, e.g. `part-000003-val.arrow`.
    public var file: String
    /// The columns, and their declared encodings (`TABULAR_…`), in the same order.
    public var columns: [String]
    public var encodings: [String]
    /// Column whose values name each row's subject; `nil`: every row is its own subject.
    public var subjectKey: String?
    /// Subject id of the file's first row when rows are subjects (unique across partitions).
    public var firstRowID: Int64

    /// Analyzes the columns: their unprotected partial statistics, in order (kept in memory by
    /// the caller).
    public func run() throws -> [PartialStats] {
        guard let role = Workspace.Role(rawValue: role), columns.count == encodings.count else {
            throw PipelineError.invalidOption("bad analyze task: role '\(self.role)', \(columns.count) columns, \(encodings.count) encodings")
        }
        let path = Workspace(path: workspace).dataDirectory(role).appendingPathComponent(file).path
        let table = try ArrowIPC.read(path: path)
        var subjects = SubjectIDs.rows(first: firstRowID)
        var grouping: [Int]? = nil
        if let subjectKey {
            guard let keyColumn = table.column(named: subjectKey) else {
                throw PipelineError.workspace("partition file \(path) has no key column '\(subjectKey)'")
            }
            let ids = try SubjectKeyIDs.ids(of: keyColumn, name: subjectKey, file: path)
            subjects = .keys(ids)
            if encodings.contains(EncodingType.datetimeRelative.rawValue) {
                // Sequences are the runs of equal subject ids: datetime-relative columns group each subject's rows.
                let (group, groups) = SubjectGrouping.firstAppearance(ids)
                grouping = group.withUnsafeBufferPointer { SubjectGrouping(group: $0, groups: groups) }.order
            }
        }
        return try zip(columns, encodings).map { column, encoding in
            guard let type = EncodingType(rawValue: encoding) else { throw PipelineError.invalidOption("bad analyze task: encoding '\(encoding)'") }
            guard var values = table.column(named: column) else {
                throw PipelineError.workspace("partition file \(path) has no column '\(column)'")
            }
            var columnSubjects = subjects
            if type == .datetimeRelative, let order = grouping, case .keys(let ids) = subjects {
                values = values.take(order)
                columnSubjects = .keys(Buffer(order.map { ids[$0] }))
            }
            return try PartialStats.analyze(values, as: type, subjects: columnSubjects, name: column)
        }
    }
}

/// Sequence lengths of one partition: target rows per context row (0 for context rows without
/// target rows).
public struct SequenceLengthTask: Codable, Sendable {
    public var workspace: String
    public var file: String
    public var contextKey: String
    public var contextPrimaryKey: String

    public func run() throws -> SequenceLengthPartial {
        let lengths = try SubjectSequences(workspace: Workspace(path: workspace), file: file,
                                           contextKey: contextKey, contextPrimaryKey: contextPrimaryKey).lengths()
        return SequenceLengthPartial(lengths: lengths)
    }
}

/// The subject (context row) of every target row of one partition.
struct SubjectSequences {
    /// Context row index of each target row.
    let subjectOfRow: [Int32]
    let subjects: Int
    let target: DoppelTable.Table
    let context: DoppelTable.Table

    init(workspace: Workspace, file: String, contextKey: String, contextPrimaryKey: String) throws {
        let targetPath = workspace.dataDirectory(.target).appendingPathComponent(file).path
        let contextPath = workspace.dataDirectory(.context).appendingPathComponent(file).path
        target = try ArrowIPC.read(path: targetPath)
        context = try ArrowIPC.read(path: contextPath)
        guard let foreign = target.column(named: contextKey) else {
            throw PipelineError.workspace("partition file \(targetPath) has no context key column '\(contextKey)'")
        }
        guard let primary = context.column(named: contextPrimaryKey) else {
            throw PipelineError.workspace("partition file \(contextPath) has no primary key column '\(contextPrimaryKey)'")
        }
        let asText = foreign.type != primary.type
        let primaryIDs = try SubjectKeyIDs.ids(of: primary, name: contextPrimaryKey, file: contextPath, asText: asText)
        let foreignIDs = try SubjectKeyIDs.ids(of: foreign, name: contextKey, file: targetPath, asText: asText)
        var index: [Int64: Int32] = [:]
        index.reserveCapacity(primaryIDs.count)
        for row in 0..<primaryIDs.count { index[primaryIDs[row]] = Int32(row) }
        var subjectOfRow = [Int32](repeating: 0, count: foreignIDs.count)
        for row in 0..<foreignIDs.count {
            guard let subject = index[foreignIDs[row]] else {
                throw PipelineError.workspace("\(targetPath): row \(row): context key '\(foreign.value(at: row)?.description ?? "")' has no row in \(contextPath)")
            }
            subjectOfRow[row] = subject
        }
        self.subjectOfRow = subjectOfRow
        subjects = primaryIDs.count
    }

    func lengths() -> [Int] {
        var lengths = [Int](repeating: 0, count: subjects)
        for s in subjectOfRow { lengths[Int(s)] += 1 }
        return lengths
    }
}

/// Registers the pipeline's named tasks (`analyze-column`, `analyze-sequence-lengths`,
/// `encode-partition`) so that the executor can run them in this process or in worker
/// processes. Executables call it before `WorkerProcess.runIfRequested()`.
public enum PipelineTasks {
    public static let analyzeColumn = "analyze-column"
    public static let analyzeSequenceLengths = "analyze-sequence-lengths"
    public static let encodePartition = "encode-partition"

    public static func register() {
        TaskRegistry.register(analyzeColumn) { (task: AnalyzeColumnTask) in try task.run() }
        TaskRegistry.register(analyzeSequenceLengths) { (task: SequenceLengthTask) in try task.run() }
        TaskRegistry.register(encodePartition) { (task: EncodePartitionTask) in try task.run() }
    }
}
