import Foundation

/// The rule that no step overwrites its own inputs: an output path must not be one of the files
/// the step reads, nor lie in a workspace's data or model folders. Paths are compared after
/// resolving `.`/`..` and symbolic links (of the file or, for a file that does not exist yet, of
/// its folder), so `./data.csv`, `dir/../data.csv` and a link to `data.csv` all count as `data.csv`.
public enum OutputPaths {
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

    /// The part file of rank `rank` of `size` for the output `path`, numbered before the extension
    /// (`.csv`, `.parquet`, or two with `.gz`): `synthetic.csv` → `synthetic.part-00001-of-00002.csv`.
    public static func part(_ path: String, rank: Int, of size: Int) -> String {
        let url = URL(fileURLWithPath: path)
        var name = url.lastPathComponent, ext = ""
        for _ in 0..<(name.hasSuffix(".gz") ? 2 : 1) {
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { break }
            ext = String(name[dot...]) + ext
            name = String(name[..<dot])
        }
        let number = { (n: Int) in String(repeating: "0", count: max(0, 5 - String(n).count)) + String(n) }
        let part = "\(name).part-\(number(rank))-of-\(number(size))\(ext)"
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? part : (folder as NSString).appendingPathComponent(part)
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
