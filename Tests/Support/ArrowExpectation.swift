import DoppelTable
import Foundation

/// The JSON expectation that `scripts/interop/arrow_check.py` (pyarrow) and
/// `scripts/interop/arrow_check_engines.py` (Polars, DuckDB) compare an Arrow IPC file with:
/// `{"rows": n, "metadata": {…}, "columns": [{"name", "type", "dictionary", "values"}]}`, where
/// floats are text (JSON has no infinity), timestamps microseconds, dates days and `null` missing.
public enum ArrowExpectation {
    /// The expectation for a file written from `table` with `metadata`. `storedPlain`: every string
    /// column is expected plain, as in a file of several record batches.
    public static func json(_ table: Table, metadata: [String: String], storedPlain: Bool = false) throws -> Data {
        var columns: [[String: Any]] = []
        for (field, column) in zip(table.schema.fields, table.columns) {
            let values: [Any] = (0..<table.rowCount).map { row -> Any in
                switch column.value(at: row) {
                case nil: NSNull()
                case .int64(let v)?, .timestamp(let v)?: v
                case .float64(let v)?: String(v)
                case .bool(let v)?: v
                case .string(let v)?: v
                case .date(let v)?: Int(v)
                }
            }
            let dictionary = !storedPlain && isDictionary(column)
            columns.append(["name": field.name, "type": field.type.rawValue, "dictionary": dictionary, "values": values])
        }
        return try JSONSerialization.data(withJSONObject: ["rows": table.rowCount, "metadata": metadata, "columns": columns])
    }

    /// Runs the checker of `engine` (`pyarrow`, `polars` or `duckdb`) with `python` on `pairs` of
    /// a file and its expectation, in one process; returns the exit status (0: the engine read
    /// every file as expected) and the output, which names each mismatch and its file.
    public static func check(engine: String, python: String, _ pairs: [(file: String, expected: String)]) throws -> (status: Int32, output: String) {
        let scripts = TestSupport.repositoryRoot.appendingPathComponent("scripts/interop")
        let files = pairs.flatMap { [$0.file, $0.expected] }
        let arguments = engine == "pyarrow"
            ? [scripts.appendingPathComponent("arrow_check.py").path] + files
            : [scripts.appendingPathComponent("arrow_check_engines.py").path, engine] + files
        return try TestSupport.run(python, arguments)
    }

    /// Whether `column` holds dictionary-encoded strings.
    public static func isDictionary(_ column: Column) -> Bool {
        if case .string(let s) = column, case .dictionary = s.storage { return true }
        return false
    }
}
