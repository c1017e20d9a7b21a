import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// Real workspaces (split from `examples/`: the flat Titanic table, and the sequential baseball
/// data with its context table) opened by other engines: every partition file compared value by
/// value with what we read (`scripts/interop/arrow_check*.py`), and each partition folder opened
/// whole with the one-liner of docs/workspace.md (`scripts/interop/workspace_open.py`). Each test
/// runs only when the Python (`DOPPEL_PYTHON` or `.venv`) imports its engine.
@Suite struct WorkspaceInteropTests {
    static let examples = ["titanic", "baseball"]

    @Test(.enabled(if: TestSupport.pythonHas("pyarrow"), "needs a Python with pyarrow (DOPPEL_PYTHON)"), arguments: examples)
    func pyarrowOpensWorkspaces(example: String) throws {
        try Self.expectEngineOpens("pyarrow", example)
    }

    @Test(.enabled(if: TestSupport.pythonHas("pandas"), "needs a Python with pandas (DOPPEL_PYTHON)"), arguments: examples)
    func pandasOpensWorkspaces(example: String) throws {
        try Self.expectEngineOpens("pandas", example)
    }

    @Test(.enabled(if: TestSupport.pythonHas("polars"), "needs a Python with polars (DOPPEL_PYTHON)"), arguments: examples)
    func polarsOpensWorkspaces(example: String) throws {
        try Self.expectEngineOpens("polars", example)
    }

    @Test(.enabled(if: TestSupport.pythonHas("duckdb") && TestSupport.pythonHas("pyarrow"), "needs a Python with duckdb and pyarrow (DOPPEL_PYTHON)"),
          arguments: examples)
    func duckdbOpensWorkspaces(example: String) throws {
        try Self.expectEngineOpens("duckdb", example)
    }

    /// Splits `example` into two partitions and checks every partition file (pandas: the folder
    /// one-liner only; its reader is pyarrow's), then each partition folder, with `engine`.
    static func expectEngineOpens(_ engine: String, _ example: String) throws {
        let python = try #require(TestSupport.python)
        let path = example == "titanic" ? try PipelineFixture.titanic() : try PipelineFixture.baseball()
        let workspace = Workspace(path: path)
        let expectations = try TestSupport.temporaryDirectory("interop-expectations")
        var pairs: [(file: String, expected: String)] = []
        var folders: [String: Any] = [:]
        for role in Workspace.Role.allCases {
            let files = try workspace.partitionFiles(role)
            guard !files.isEmpty else { continue }
            var rows = 0
            var names: [String] = []
            for file in files {
                let table = try ArrowIPC.read(path: file.path)
                rows += table.rowCount
                names = table.schema.names
                let expected = expectations.appendingPathComponent("\(role.rawValue)-\(file.lastPathComponent).json")
                try ArrowExpectation.json(table, metadata: try ArrowIPC.readMetadata(path: file.path)).write(to: expected)
                pairs.append((file.path, expected.path))
            }
            folders[role.rawValue] = ["rows": rows, "columns": names] as [String: Any]
        }
        #expect(pairs.count == (example == "titanic" ? 4 : 8))
        if engine != "pandas" {
            let (status, output) = try ArrowExpectation.check(engine: engine, python: python, pairs)
            #expect(status == 0, "\(engine) on the partition files of \(example): \(output)")
        }
        let expected = expectations.appendingPathComponent("folders.json")
        try JSONSerialization.data(withJSONObject: folders).write(to: expected)
        let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/interop/workspace_open.py").path
        let (status, output) = try TestSupport.run(python, [script, engine, path, expected.path])
        #expect(status == 0, "\(engine) opening the partition folders of \(example): \(output)")
    }
}
