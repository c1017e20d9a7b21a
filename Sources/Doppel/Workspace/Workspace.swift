import Foundation

/// The workspace folder: the only state of the pipeline. Layout (docs/workspace.md):
///
/// ```
/// W/OriginalData/tgt-data/part-NNNNNN-{trn,val}.arrow     split
/// W/OriginalData/tgt-meta/{encoding-types,keys}.json      split
/// W/OriginalData/ctx-data/…, ctx-meta/…                   split (sequential data only)
/// W/ModelStore/…                                          analyze, train
/// W/SyntheticData/…                                       generate
/// ```
public struct Workspace: Sendable {
    public let root: URL

    public init(path: String) {
        root = URL(fileURLWithPath: path, isDirectory: true)
    }

    /// Which of the two tables a file belongs to.
    public enum Role: String, Sendable, CaseIterable {
        /// The table that is modelled (flat table, or the events of sequential data).
        case target = "tgt"
        /// One row per subject, holding its keys and subject-level columns (sequential data).
        case context = "ctx"
    }

    /// Training or validation side of the split.
    public enum Side: String, Sendable, CaseIterable {
        case training = "trn"
        case validation = "val"
    }

    public var originalData: URL { root.appendingPathComponent("OriginalData", isDirectory: true) }
    public var modelStore: URL { root.appendingPathComponent("ModelStore", isDirectory: true) }
    public var syntheticData: URL { root.appendingPathComponent("SyntheticData", isDirectory: true) }

    /// `OriginalData/{tgt,ctx}-data`.
    public func dataDirectory(_ role: Role) -> URL {
        originalData.appendingPathComponent("\(role.rawValue)-data", isDirectory: true)
    }

    /// `OriginalData/{tgt,ctx}-meta`.
    public func metaDirectory(_ role: Role) -> URL {
        originalData.appendingPathComponent("\(role.rawValue)-meta", isDirectory: true)
    }

    /// `OriginalData/{tgt,ctx}-data/part-NNNNNN-{trn,val}.arrow`.
    public func partitionFile(_ role: Role, index: Int, side: Side) -> URL {
        dataDirectory(role).appendingPathComponent(Workspace.partitionFileName(index: index, side: side))
    }

    public static func partitionFileName(index: Int, side: Side) -> String {
        let digits = String(index)
        return "part-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + "-\(side.rawValue).arrow"
    }

    /// The partition files of `role` that exist, sorted by name.
    public func partitionFiles(_ role: Role) throws -> [URL] {
        let dir = dataDirectory(role)
        guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasPrefix("part-") && $0.hasSuffix(".arrow") }
            .sorted()
            .map { dir.appendingPathComponent($0) }
    }

    /// Creates `url` and its parents; removes the files (not sub-folders) it already holds,
    /// so a step's output never mixes with a previous run's.
    public static func resetDirectory(_ url: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: url, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: url.path) {
            let path = url.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                try fm.removeItem(atPath: path)
            }
        }
    }
}
