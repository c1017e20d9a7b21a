import Foundation
import Testing
import DoppelTestSupport
@testable import DoppelIO

/// A table with every column type, nulls, a low-cardinality and a unique string column.
func parquetSampleTable(rows: Int, seed: UInt64 = 42) throws -> Table {
    var rng = ParquetTestRandom(seed: seed)
    func maybe<T>(_ v: T) -> T? { rng.next() % 7 == 0 ? nil : v }
    let words = ["red", "green", "blue", "", "grün", "青"]
    let ids: [Int64?] = (0..<rows).map { Int64($0) }
    let counts: [Int64?] = (0..<rows).map { _ in maybe(Int64(bitPattern: rng.next())) }
    let scores: [Double?] = (0..<rows).map { _ in
        let bits: UInt64 = rng.next() >> 2
        return maybe(Double(bitPattern: bits))
    }
    let ratios: [Double?] = (0..<rows).map { (i: Int) -> Double? in
        if i % 11 == 0 { return nil }
        let x: Double = Double(i) / 7
        return x - 3
    }
    let flags: [Bool?] = (0..<rows).map { _ in maybe(rng.next() % 2 == 0) }
    let colours: [String?] = (0..<rows).map { _ in maybe(words[Int(rng.next() % UInt64(words.count))]) }
    let categories: [String?] = (0..<rows).map { i in maybe("cat-\(i % 5)") }
    let labels: [String?] = (0..<rows).map { i in maybe("label \(i) \(rng.next() % 1000)") }
    let seen: [Int64?] = (0..<rows).map { _ in
        let micros: Int64 = Int64(rng.next() % (1 << 52)) - (1 << 50)
        return maybe(micros)
    }
    let born: [Int32?] = (0..<rows).map { _ in
        let days: Int32 = Int32(rng.next() % 80_000) - 30_000
        return maybe(days)
    }
    let nothing: [String?] = Array(repeating: nil, count: rows)
    return try Table([
        ("id", Column.int64(ids)),
        ("count", Column.int64(counts)),
        ("score", Column.float64(scores)),
        ("ratio", Column.float64(ratios)),
        ("flag", Column.bool(flags)),
        ("colour", Column.string(colours)),
        ("category", Column.dictionaryString(categories)),
        ("label", Column.string(labels)),
        ("seen", Column.timestamp(seen)),
        ("born", Column.date(born)),
        ("empty", Column.string(nothing)),
    ])
}

func sameValues(_ a: Table, _ b: Table) -> [String] {
    var problems: [String] = []
    if a.schema != b.schema { problems.append("schema \(a.schema.fields) != \(b.schema.fields)") }
    if a.rowCount != b.rowCount { problems.append("rows \(a.rowCount) != \(b.rowCount)") }
    for (c, field) in a.schema.fields.enumerated() where c < b.columnCount {
        for row in 0..<min(a.rowCount, b.rowCount) {
            let x = a.columns[c].value(at: row), y = b.columns[c].value(at: row)
            var equal = x == y
            if case .float64(let p)? = x, case .float64(let q)? = y { equal = p.bitPattern == q.bitPattern }
            if !equal {
                problems.append("\(field.name)[\(row)]: \(String(describing: x)) != \(String(describing: y))")
                if problems.count > 10 { return problems }
            }
        }
    }
    return problems
}

@Suite struct ParquetWriterTests {
    @Test(arguments: ParquetCompression.allCases)
    func roundTripsThroughOurReader(_ compression: ParquetCompression) throws {
        let table = try parquetSampleTable(rows: 1500)
        let dir = try TestSupport.temporaryDirectory("parquet-writer")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.parquet").path
        var options = ParquetWriteOptions()
        options.compression = compression
        options.rowGroupRows = 600
        try ParquetWriter.write(table, to: path, options: options)
        let back = try ParquetReader.read(path: path)
        #expect(sameValues(table, back).isEmpty, "\(sameValues(table, back))")
    }

    @Test func lowCardinalityStringsAreWrittenAsDictionaries() throws {
        let table = try parquetSampleTable(rows: 2000)
        let dir = try TestSupport.temporaryDirectory("parquet-writer")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.parquet").path
        try ParquetWriter.write(table, to: path)
        let back = try ParquetReader.read(path: path)
        for name in ["colour", "category"] {
            guard case .string(let c)? = back.column(named: name), case .dictionary = c.storage else {
                Issue.record("\(name) is not dictionary-encoded after reading")
                continue
            }
        }
        guard case .string(let label)? = back.column(named: "label"), case .plain = label.storage else {
            Issue.record("unique strings should be written PLAIN")
            return
        }
    }

    @Test func sameTableGivesSameBytes() throws {
        let table = try parquetSampleTable(rows: 500)
        let dir = try TestSupport.temporaryDirectory("parquet-writer")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.parquet").path, b = dir.appendingPathComponent("b.parquet").path
        try ParquetWriter.write(table, to: a)
        try ParquetWriter.write(table, to: b)
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
    }

    @Test func writesEmptyTables() throws {
        let table = try parquetSampleTable(rows: 0)
        let dir = try TestSupport.temporaryDirectory("parquet-writer")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("empty.parquet").path
        try ParquetWriter.write(table, to: path)
        let back = try ParquetReader.read(path: path)
        #expect(back.rowCount == 0 && back.schema == table.schema)
    }

    @Test func rereadsFixturesThroughTheWriter() throws {
        // Our reader → our writer → our reader keeps every value of the pyarrow corpus.
        for name in ["types_snappy", "types_int96", "dictionary_fallback"] {
            let table = try ParquetReader.read(path: ParquetFixtures.path(name + ".parquet"))
            let dir = try TestSupport.temporaryDirectory("parquet-writer")
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("copy.parquet").path
            try ParquetWriter.write(table, to: path)
            let back = try ParquetReader.read(path: path)
            #expect(ParquetFixtures.mismatches(back, expected: try ParquetFixtures.json(name + ".expected.json")).isEmpty, "\(name)")
        }
    }

    /// Our writer → pyarrow (and DuckDB / Polars when installed): every value must agree.
    @Test(.enabled(if: TestSupport.pythonHas("pyarrow"), "needs a Python with pyarrow (DOPPEL_PYTHON)"), arguments: [ParquetCompression.zstd, .snappy, .uncompressed, .gzip, .lz4Raw])
    func filesOpenInPyarrowWithIdenticalValues(_ compression: ParquetCompression) throws {
        let python = try #require(TestSupport.python)
        let table = try parquetSampleTable(rows: 1200)
        let dir = try TestSupport.temporaryDirectory("parquet-interop")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ours.parquet").path
        let json = dir.appendingPathComponent("ours.json").path
        var options = ParquetWriteOptions()
        options.compression = compression
        options.rowGroupRows = 500
        try ParquetWriter.write(table, to: path, options: options)
        let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/fixtures/parquet_interop_check.py").path
        let (status, output) = try TestSupport.run(python, [script, path, json])
        #expect(status == 0, "\(output)")
        #expect(output.contains("pandas: ok") && output.contains("statistics: ok"), "\(output)")
        if ProcessInfo.processInfo.environment["DOPPEL_SHOW_INTEROP"] != nil { print(output) }
        guard status == 0 else { return }
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any] ?? [:]
        let problems = ParquetFixtures.mismatches(table, expected: expected)
        #expect(problems.isEmpty, "\(problems)")
    }
}
