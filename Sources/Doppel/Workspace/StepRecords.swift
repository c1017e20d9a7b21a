import Foundation

/// Steps as transactions: a step that completes writes a record, `W/.steps/<step>.json`, with a
/// fresh generation id, the generation of the step it read from and the files it wrote (with
/// their sizes; a later step refuses when one of them is missing); a step that starts removes
/// its own record first, so a step killed half-way leaves none. A step starts only when the step
/// before it has a record, and that record was made from the generation of ITS predecessor that
/// is there now (all the way up to split): so a later step never trusts an interrupted or stale
/// earlier one, and the error names the step to run again.
///
/// The chain is split → analyze → encode → train; generate reads a trained model and checks the
/// whole chain without writing a record.
public enum PipelineStep: String, CaseIterable, Sendable {
    case split, analyze, encode, train

    /// The folders this step writes (those that exist are listed in its record).
    func folders(_ workspace: Workspace) -> [URL] {
        switch self {
        case .split: Workspace.Role.allCases.flatMap { [workspace.dataDirectory($0), workspace.metaDirectory($0)] }
        case .analyze: Workspace.Role.allCases.map { workspace.statsDirectory($0) }
        case .encode: [workspace.encodedDataDirectory]
        case .train: [workspace.modelDataDirectory, workspace.contextModelDataDirectory]
        }
    }

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
        /// What the step wrote: workspace-relative paths and their sizes in bytes.
        var files: [String: Int] = [:]
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
        for path in record.files.keys.sorted() where !FileManager.default.fileExists(atPath: workspace.root.appendingPathComponent(path).path) {
            throw PipelineError.workspace("\(path), written by `doppel \(step.rawValue)`, is missing from \(workspace.root.path); run `doppel \(step.rawValue)` again before `doppel \(caller)`")
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
        try MetadataJSON.write(Record(step: step.rawValue, generation: UUID().uuidString, input: input, files: written(step, workspace)),
                               to: url(workspace, step))
    }

    /// The files in `step`'s folders, relative to the workspace, with their sizes.
    static func written(_ step: PipelineStep, _ workspace: Workspace) -> [String: Int] {
        var files: [String: Int] = [:]
        let root = workspace.root.standardizedFileURL.path
        for folder in step.folders(workspace) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for name in names where !name.hasPrefix(".") {
                let path = folder.appendingPathComponent(name).standardizedFileURL.path
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                      attributes[.type] as? FileAttributeType == .typeRegular else { continue }
                files[String(path.dropFirst(root.count + 1))] = (attributes[.size] as? NSNumber)?.intValue ?? 0
            }
        }
        return files
    }

    /// Records a completed split for a workspace written by other means (benchmark generators
    /// that write partition files as split would).
    public static func recordSplit(_ workspace: Workspace) throws {
        try complete(.split, workspace, input: nil)
    }
}
