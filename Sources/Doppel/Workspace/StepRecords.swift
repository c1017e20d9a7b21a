import Foundation

/// Steps as transactions: a step that completes writes a record, `W/.steps/<step>.json`, with a
/// fresh generation id and the generation of the step it read from; a step that starts removes
/// its own record first, so a step killed half-way leaves none. A step starts only when the step
/// before it has a record, and that record was made from the generation of ITS predecessor that
/// is there now (all the way up to split): so a later step never trusts an interrupted or stale
/// earlier one, and the error names the step to run again.
///
/// The chain is split → analyze → encode → train; generate reads a trained model and checks the
/// whole chain without writing a record.
public enum PipelineStep: String, CaseIterable, Sendable {
    case split, analyze, encode, train

    /// The step whose output this one reads.
    var predecessor: PipelineStep? {
        switch self {
        case .split: nil
        case .analyze: .split
        case .encode: .analyze
        case .train: .encode
        }
    }
}

public enum StepRecords {
    struct Record: Codable, Equatable {
        var step: String
        var generation: String
        /// Generation of the predecessor this run read (absent for split).
        var input: String?
    }

    static func url(_ workspace: Workspace, _ step: PipelineStep) -> URL {
        workspace.root.appendingPathComponent(".steps", isDirectory: true).appendingPathComponent("\(step.rawValue).json")
    }

    static func read(_ workspace: Workspace, _ step: PipelineStep) -> Record? {
        guard let data = FileManager.default.contents(atPath: url(workspace, step).path) else { return nil }
        return try? JSONDecoder().decode(Record.self, from: data)
    }

    /// Checks that `step`'s predecessors all completed and are consistent, then removes `step`'s
    /// own record (it is being redone). Returns the predecessor's generation to record at the end.
    static func begin(_ step: PipelineStep, _ workspace: Workspace) throws -> String? {
        let input = try requireComplete(step.predecessor, workspace, for: step.rawValue)
        try? FileManager.default.removeItem(at: url(workspace, step))
        return input
    }

    /// The generation of `step` when it and every step before it completed consistently; throws
    /// naming the step to run again otherwise (`nil` step: nothing to check).
    static func requireComplete(_ step: PipelineStep?, _ workspace: Workspace, for caller: String) throws -> String? {
        guard let step else { return nil }
        guard let record = read(workspace, step) else {
            throw PipelineError.workspace("`doppel \(step.rawValue)` has not completed in \(workspace.root.path) (never run, interrupted, or from an older version); run it again before `doppel \(caller)`")
        }
        let upstream = try requireComplete(step.predecessor, workspace, for: step.rawValue)
        guard record.input == upstream else {
            throw PipelineError.workspace("`doppel \(step.rawValue)` in \(workspace.root.path) used the output of an earlier `doppel \(step.predecessor?.rawValue ?? "")` run; run `doppel \(step.rawValue)` again before `doppel \(caller)`")
        }
        return record.generation
    }

    /// Records that `step` completed, having read the predecessor generation `input`.
    static func complete(_ step: PipelineStep, _ workspace: Workspace, input: String?) throws {
        let directory = workspace.root.appendingPathComponent(".steps", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try MetadataJSON.write(Record(step: step.rawValue, generation: UUID().uuidString, input: input), to: url(workspace, step))
    }

    /// Records a completed split for a workspace written by other means (benchmark generators
    /// that write partition files as split would).
    public static func recordSplit(_ workspace: Workspace) throws {
        try complete(.split, workspace, input: nil)
    }
}
