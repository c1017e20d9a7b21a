import Foundation
import Testing
import DoppelTestSupport
@testable import DoppelIO

/// int8/int16/int32 columns are written as INT32 with the INT(width, signed) annotation; our
/// reader gives them back as int64 (user data has one integer type), pyarrow as their width.
@Suite struct ParquetNarrowIntegerTests {
    static func table() throws -> Table {
        try Table([
            ("tiny", .int8([Int8.min, nil, 0, Int8.max, -1])),
            ("small", .int16([Int16.min, 300, nil, Int16.max, -2])),
            ("medium", .int32([Int32.min, Int32.max, 0, nil, 70_000])),
        ])
    }

    static func write(_ table: Table, name: String) throws -> String {
        let path = try TestSupport.temporaryDirectory("parquet-narrow").appendingPathComponent(name).path
        try ParquetWriter.write(table, to: path)
        return path
    }

    @Test func ourReaderWidensThemToInt64() throws {
        let table = try ParquetNarrowIntegerTests.table()
        let back = try ParquetReader.read(path: try ParquetNarrowIntegerTests.write(table, name: "narrow.parquet"))
        #expect(back.schema.fields.map(\.type) == [.int64, .int64, .int64])
        #expect(sameValues(table.widenedToInt64(), back).isEmpty, "\(sameValues(table.widenedToInt64(), back))")
    }

    @Test(.enabled(if: TestSupport.pythonHas("pyarrow"), "needs a Python with pyarrow (DOPPEL_PYTHON)"))
    func pyarrowReadsTheirWidths() throws {
        let python = try #require(TestSupport.python)
        let path = try ParquetNarrowIntegerTests.write(try ParquetNarrowIntegerTests.table(), name: "narrow.parquet")
        let check = """
        import sys, pyarrow.parquet as pq
        t = pq.read_table(sys.argv[1])
        print([str(f.type) for f in t.schema])
        print(t.to_pydict())
        """
        let (status, output) = try TestSupport.run(python, ["-c", check, path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("['int8', 'int16', 'int32']"), "\(output)")
        #expect(output.contains("'tiny': [-128, None, 0, 127, -1]"), "\(output)")
        #expect(output.contains("'small': [-32768, 300, None, 32767, -2]"), "\(output)")
        #expect(output.contains("'medium': [-2147483648, 2147483647, 0, None, 70000]"), "\(output)")
    }
}
