import Foundation

/// The rule that no step overwrites its own inputs: an output path must not be one of the files
/// the step reads, nor lie in a workspace's data or model folders. Paths are compared after
/// resolving `.`/`..` and symbolic links (of the file or, for a file that does not exist yet, of
/// its folder), so `./data.csv`, `dir/../data.csv` and a link to `data.csv` all count as `data.csv`.
enum OutputPaths {
    /// Throws when `output` (named by `option`) would overwrite one of `inputs` or land in the
    /// `OriginalData` or `ModelStore` folder of `workspace`.
    static func refuseOverwriting(_ output: String, option: String, inputs: [String?], workspace: Workspace? = nil) throws {
        let target = resolved(output)
        for case let input? in inputs where resolved(input) == target {
            throw PipelineError.invalidOption("\(option) \(output) is also an input of this step (\(input)); choose another output path")
        }
        if let workspace {
            for folder in [workspace.originalData, workspace.modelStore] {
                let inside = resolved(folder.path)
                if target == inside || target.hasPrefix(inside + "/") {
                    throw PipelineError.invalidOption("\(option) \(output) lies inside the workspace's \(folder.lastPathComponent) folder, which the pipeline owns; choose another output path")
                }
            }
        }
    }

    /// The absolute path with symbolic links resolved (those of the nearest existing folder for a
    /// path that does not exist yet).
    static func resolved(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if FileManager.default.fileExists(atPath: url.path) { return url.resolvingSymlinksInPath().path }
        let parent = url.deletingLastPathComponent()
        if parent.path == url.path { return url.path }
        return (resolved(parent.path) as NSString).appendingPathComponent(url.lastPathComponent)
    }
}
