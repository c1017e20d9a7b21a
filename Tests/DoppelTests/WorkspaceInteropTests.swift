import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// Real workspaces (split, analyzed and encoded from `examples/`: the flat Titanic table, and the
/// sequential baseball data with its context table) opened by other engines: every partition file
/// and every encoded file compared value by value with what we read
/// (`scripts/interop/arrow_check*.py`), and each partition folder opened whole with the lines of
/// docs/workspace.md (`scripts/interop/workspace_open.py`). Each test runs only when the Python
/// (`DOPPEL_PYTHON` or `.venv`) imports its engine.
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

    /// A workspace prepared for the checks: its path, each Arrow file with its expectation, and
    /// the expectation of the partition folders (`workspace_open.py`).
    struct Prepared: Sendable {
        let path: String
        let pairs: [(file: String, expected: String)]
        let folders: String
    }

    /// Each example is prepared once per test process and shared by the engines' tests (read only).
    static let titanic = Result { try prepare("titanic") }
    static let baseball = Result { try prepare("baseball") }

    /// Splits `example` into two partitions, analyzes and encodes it, and writes the expectation
    /// of every partition file and encoded file (from our reader) and of the partition folders.
    static func prepare(_ example: String) throws -> Prepared {
        let path = example == "titanic" ? try PipelineFixture.titanic() : try PipelineFixture.baseball()
        _ = try PipelineFixture.analyze(path, protection: false)
        _ = try PipelineFixture.encode(path)
        let workspace = Workspace(path: path)
        let expectations = try TestSupport.temporaryDirectory("interop-expectations")
        var pairs: [(file: String, expected: String)] = []
        func add(_ file: String, _ label: String) throws {
            let expected = expectations.appendingPathComponent("\(label).json")
            try ArrowExpectation.json(try ArrowIPC.read(path: file), metadata: try ArrowIPC.readMetadata(path: file)).write(to: expected)
            pairs.append((file, expected.path))
        }
        var folders: [String: Any] = [:]
        for role in Workspace.Role.allCases {
            let files = try workspace.partitionFiles(role)
            guard !files.isEmpty else { continue }
            for file in files { try add(file.path, "\(role.rawValue)-\(file.lastPathComponent)") }
            let tables = try files.map { try ArrowIPC.read(path: $0.path) }
            folders[role.rawValue] = ["rows": tables.reduce(0) { $0 + $1.rowCount }, "columns": tables[0].schema.names] as [String: Any]
        }
        let encoded = URL(fileURLWithPath: path).appendingPathComponent("OriginalData/encoded-data")
        for name in try FileManager.default.contentsOfDirectory(atPath: encoded.path).filter({ $0.hasSuffix(".arrow") }).sorted() {
            try add(encoded.appendingPathComponent(name).path, "encoded-\(name)")
        }
        let foldersPath = expectations.appendingPathComponent("folders.json")
        try JSONSerialization.data(withJSONObject: folders).write(to: foldersPath)
        return Prepared(path: path, pairs: pairs, folders: foldersPath.path)
    }

    /// Checks every file of the prepared `example` (pandas: not file by file; its reader is
    /// pyarrow's), then each partition folder, with `engine`.
    static func expectEngineOpens(_ engine: String, _ example: String) throws {
        let python = try #require(TestSupport.python)
        let prepared = try (example == "titanic" ? titanic : baseball).get()
        // Titanic: 4 partition files and 4 encoded; baseball: 8 partition files, 4 subject and 4 sequence files.
        #expect(prepared.pairs.count == (example == "titanic" ? 8 : 16))
        if engine != "pandas" {
            let (status, output) = try ArrowExpectation.check(engine: engine, python: python, prepared.pairs)
            #expect(status == 0, "\(engine) on the files of \(example): \(output)")
        }
        let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/interop/workspace_open.py").path
        let (status, output) = try TestSupport.run(python, [script, engine, prepared.path, prepared.folders])
        #expect(status == 0, "\(engine) opening the partition folders of \(example): \(output)")
    }
}
