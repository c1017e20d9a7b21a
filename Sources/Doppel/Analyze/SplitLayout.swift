import DoppelEncoding
import Foundation

/// What split left in a workspace: the modelled columns and keys of each table and the
/// partition files, checked for consistency. Shared by analyze and encode.
struct SplitLayout: Sendable {
    struct Table: Sendable {
        var role: Workspace.Role
        var columns: [(name: String, encoding: EncodingType)]
        var keys: KeysFile
    }

    let workspace: Workspace
    let target: Table
    let context: Table?
    /// Partition file names (`part-NNNNNN-{trn,val}.arrow`) in partition order; the target
    /// and context tables have the same names.
    let files: [String]

    var isSequential: Bool { target.keys.contextKey != nil && context != nil }

    /// The key whose values are the subjects of `role`'s rows (`nil`: every row is a subject).
    func subjectKey(_ role: Workspace.Role) -> String? {
        role == .target ? (isSequential ? target.keys.contextKey : nil) : context?.keys.primaryKey
    }

    func table(_ role: Workspace.Role) -> Table? { role == .target ? target : context }

    func path(_ role: Workspace.Role, _ file: String) -> String {
        workspace.dataDirectory(role).appendingPathComponent(file).path
    }

    static func load(_ workspace: Workspace) throws -> SplitLayout {
        let targetTypes = workspace.encodingTypesFile(.target)
        guard FileManager.default.fileExists(atPath: targetTypes.path) else {
            throw PipelineError.workspace("\(workspace.root.path) holds no split data (missing \(targetTypes.path)); run `doppel split` first")
        }
        let target = try loadTable(.target, workspace)
        var context: Table?
        if FileManager.default.fileExists(atPath: workspace.encodingTypesFile(.context).path) {
            context = try loadTable(.context, workspace)
        }
        let files = try workspace.partitionFiles(.target).map(\.lastPathComponent)
        guard !files.isEmpty else {
            throw PipelineError.workspace("no partition files in \(workspace.dataDirectory(.target).path); run `doppel split` first")
        }
        if context != nil {
            let contextFiles = try workspace.partitionFiles(.context).map(\.lastPathComponent)
            guard contextFiles == files else {
                throw PipelineError.workspace("the context partitions (\(contextFiles.count) files in \(workspace.dataDirectory(.context).path)) do not match the target partitions (\(files.count) files); run `doppel split` again")
            }
        }
        let layout = SplitLayout(workspace: workspace, target: target, context: context, files: files)
        try layout.checkColumns()
        return layout
    }

    private static func loadTable(_ role: Workspace.Role, _ workspace: Workspace) throws -> Table {
        let types = try MetadataJSON.read(EncodingTypesFile.self, from: workspace.encodingTypesFile(role))
        let keysURL = workspace.keysFile(role)
        let keys = FileManager.default.fileExists(atPath: keysURL.path)
            ? try MetadataJSON.read(KeysFile.self, from: keysURL) : KeysFile(primaryKey: nil, contextKey: nil)
        let columns = types.columns.map { (name: $0.column, encoding: $0.encoding) }
        return Table(role: role, columns: columns, keys: keys)
    }

    /// Every modelled column and key named in the metadata exists in the first partition file.
    private func checkColumns() throws {
        for table in [target, context].compactMap({ $0 }) {
            let path = path(table.role, files[0])
            let schema = try ArrowIPC.read(path: path).schema
            let keys = [table.keys.primaryKey, table.keys.contextKey].compactMap { $0 }
            for name in table.columns.map(\.name) + keys where schema.index(of: name) == nil {
                throw PipelineError.workspace("\(workspace.encodingTypesFile(table.role).path) names column '\(name)', which partition file \(path) does not have (columns: \(schema.names.joined(separator: ", ")))")
            }
        }
    }
}
