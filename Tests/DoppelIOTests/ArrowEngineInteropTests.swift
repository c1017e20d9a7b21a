import Foundation
import Testing
@testable import DoppelIO
import DoppelTestSupport

/// Our files read by Polars' own IPC reader and by DuckDB (`scripts/interop/arrow_check_engines.py`),
/// on the same files as the pyarrow check (`ArrowInteropTests.caseLabels`). Each engine's test runs
/// only when the Python (`DOPPEL_PYTHON` or `.venv`) imports that engine.
@Suite struct ArrowEngineInteropTests {
    @Test(.enabled(if: TestSupport.pythonHas("polars"), "needs a Python with polars (DOPPEL_PYTHON)"))
    func polarsReadsOurFiles() throws {
        try Self.expectEngineReads("polars")
    }

    /// Core DuckDB has no Arrow IPC file reader (that is the `nanoarrow` extension, a download):
    /// the checker opens the file with pyarrow and DuckDB scans the Arrow data.
    @Test(.enabled(if: TestSupport.pythonHas("duckdb") && TestSupport.pythonHas("pyarrow"), "needs a Python with duckdb and pyarrow (DOPPEL_PYTHON)"))
    func duckdbReadsOurFiles() throws {
        try Self.expectEngineReads("duckdb")
    }

    /// The checkers are not vacuous: a wrong value, a wrong integer width and a wrong missing
    /// value in the expectation are each reported, by every engine the Python has.
    @Test(.enabled(if: TestSupport.pythonHas("pyarrow"), "needs a Python with pyarrow (DOPPEL_PYTHON)"))
    func checkersReportMismatches() throws {
        let python = try #require(TestSupport.python)
        let (path, expectedPath) = try ArrowInteropTests.writeCase("full")
        var expectation = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: expectedPath))) as? [String: Any])
        var columns = try #require(expectation["columns"] as? [[String: Any]])
        for index in columns.indices {
            var values = try #require(columns[index]["values"] as? [Any])
            switch columns[index]["name"] as? String {
            case "id": values[0] = 2 // was 1
            case "flag": values[2] = false // was missing
            case "tiny": columns[index]["type"] = "int16" // is int8
            default: break
            }
            columns[index]["values"] = values
        }
        expectation["columns"] = columns
        let wrongPath = expectedPath + ".wrong.json"
        try JSONSerialization.data(withJSONObject: expectation).write(to: URL(fileURLWithPath: wrongPath))
        for engine in ["pyarrow", "polars", "duckdb"] where TestSupport.pythonHas(engine) {
            let (status, output) = try ArrowExpectation.check(engine: engine, python: python, [(path, wrongPath)])
            #expect(status != 0, "\(engine) accepted a wrong expectation")
            for column in ["id", "flag", "tiny"] {
                #expect(output.contains("MISMATCH") && output.contains("\(column):"), "\(engine) did not report \(column): \(output)")
            }
        }
    }

    /// Writes every case and checks them all in one Python process (its output names the file,
    /// hence the case, of each mismatch).
    static func expectEngineReads(_ engine: String) throws {
        let python = try #require(TestSupport.python)
        let pairs = try ArrowInteropTests.caseLabels.map { try ArrowInteropTests.writeCase($0) }
        let (status, output) = try ArrowExpectation.check(engine: engine, python: python, pairs.map { ($0.file, $0.expected) })
        #expect(status == 0, "\(engine): \(output)")
    }
}
