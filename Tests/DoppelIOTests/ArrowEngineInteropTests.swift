import Foundation
import Testing
@testable import DoppelIO
import DoppelTestSupport

/// Our files read by Polars' own IPC reader and by DuckDB (`scripts/interop/arrow_check_engines.py`),
/// on the same files as the pyarrow check (`ArrowInteropTests.caseLabels`). Each engine's test runs
/// only when the Python (`DOPPEL_PYTHON` or `.venv`) imports that engine.
@Suite struct ArrowEngineInteropTests {
    @Test(.enabled(if: TestSupport.pythonHas("polars"), "needs a Python with polars (DOPPEL_PYTHON)"),
          arguments: ArrowInteropTests.caseLabels)
    func polarsReadsOurFiles(label: String) throws {
        try Self.expectEngineReads("polars", label)
    }

    /// Core DuckDB has no Arrow IPC file reader (that is the `nanoarrow` extension, a download):
    /// the checker opens the file with pyarrow and DuckDB scans the Arrow data.
    @Test(.enabled(if: TestSupport.pythonHas("duckdb") && TestSupport.pythonHas("pyarrow"), "needs a Python with duckdb and pyarrow (DOPPEL_PYTHON)"),
          arguments: ArrowInteropTests.caseLabels)
    func duckdbReadsOurFiles(label: String) throws {
        try Self.expectEngineReads("duckdb", label)
    }

    static func expectEngineReads(_ engine: String, _ label: String) throws {
        let python = try #require(TestSupport.python)
        let (path, expectedPath) = try ArrowInteropTests.writeCase(label)
        let (status, output) = try ArrowExpectation.check(engine: engine, python: python, [(path, expectedPath)])
        #expect(status == 0, "\(engine) on \(label): \(output)")
    }
}
