import DoppelEncoding
import DoppelParallel
import DoppelTable
import Foundation

/// One analyze task: one modelled column of one partition file. Small and `Codable`, so that it
/// can be sent to a worker process, which memory-maps the partition file itself.
public struct AnalyzeColumnTask: Codable, Sendable {
    public var workspace: String
    /// `tgt` or `ctx`.
    public var role: String
    /// Partition file name, e.g. `part-000003-val.arrow`.
    public var file: String
    public var column: String
    /// Declared encoding (`TABULAR_…`).
    public var encoding: String
    /// Column whose values name each row's subject; `nil`: every row is its own subject.
    public var subjectKey: String?
    /// Subject id of the file's first row when rows are subjects (unique across partitions).
    public var firstRowID: Int64

    /// Analyzes the column: the unprotected partial statistics (kept in memory by the caller).
    public func run() throws -> PartialStats {
        guard let role = Workspace.Role(rawValue: role), let type = EncodingType(rawValue: encoding) else {
            throw PipelineError.invalidOption("bad analyze task: role '\(self.role)', encoding '\(encoding)'")
        }
        let path = Workspace(path: workspace).dataDirectory(role).appendingPathComponent(file).path
        let table = try ArrowIPC.read(path: path)
        guard var values = table.column(named: column) else {
            throw PipelineError.workspace("partition file \(path) has no column '\(column)'")
        }
        var subjects = SubjectIDs.rows(first: firstRowID)
        if let subjectKey {
            guard let keyColumn = table.column(named: subjectKey) else {
                throw PipelineError.workspace("partition file \(path) has no key column '\(subjectKey)'")
            }
            var ids = try SubjectKeyIDs.ids(of: keyColumn, name: subjectKey, file: path)
            if type == .datetimeRelative {
                // Sequences are the runs of equal subject ids: group each subject's rows.
                let (group, groups) = SubjectGrouping.firstAppearance(ids)
                let grouping = group.withUnsafeBufferPointer { SubjectGrouping(group: $0, groups: groups) }
                values = values.take(grouping.order)
                ids = Buffer(grouping.order.map { ids[$0] })
            }
            subjects = .keys(ids)
        }
        return try PartialStats.analyze(values, as: type, subjects: subjects, name: column)
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
