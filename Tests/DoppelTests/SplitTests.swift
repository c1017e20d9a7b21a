import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// Helpers to write small CSV inputs and read partitions back.
private struct Scratch {
    let dir: URL

    init() throws { dir = try TestSupport.temporaryDirectory("split") }

    func file(_ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: false, encoding: .utf8)
        return url.path
    }

    var workspace: String { dir.appendingPathComponent("ws").path }

    /// Split options for events at `target` of the subjects at `context`, linked by `pid`.
    func sequentialOptions(target: String, context: String) -> SplitOptions {
        var options = SplitOptions(targetPath: target, workspace: workspace)
        options.contextPath = context
        options.contextPrimaryKey = "pid"
        options.contextKey = "pid"
        return options
    }

    func partitions(_ role: Workspace.Role) throws -> [(name: String, table: Table)] {
        try Workspace(path: workspace).partitionFiles(role).map { ($0.lastPathComponent, try ArrowIPC.read(path: $0.path)) }
    }
}

private func int64s(_ table: Table, _ name: String) -> [Int64] {
    guard case .int64(let c)? = table.column(named: name) else { return [] }
    return c.values.array
}

private func strings(_ table: Table, _ name: String) -> [String] {
    guard let c = table.column(named: name) else { return [] }
    return (0..<c.count).map { c.value(at: $0)?.description ?? "<null>" }
}

@Suite struct SplitFlatTests {
    private func idTable(_ n: Int) -> String {
        "id,group,value\n" + (0..<n).map { "\($0),g\($0 % 7),\(Double($0) * 0.5)" }.joined(separator: "\n") + "\n"
    }

    @Test func everyRowLandsOnceWithTheRequestedProportion() throws {
        let s = try Scratch()
        var options = SplitOptions(targetPath: try s.file("t.csv", idTable(1000)), workspace: s.workspace)
        options.primaryKey = "id"
        options.partitions = 3
        options.validationFraction = 0.2
        options.seed = 7
        let summary = try Split.run(options)
        #expect(summary.subjects == 1000)
        #expect(summary.trainingSubjects == 800)
        let parts = try s.partitions(.target)
        #expect(parts.map(\.name) == ["part-000000-trn.arrow", "part-000000-val.arrow", "part-000001-trn.arrow",
                                      "part-000001-val.arrow", "part-000002-trn.arrow", "part-000002-val.arrow"])
        let all = parts.flatMap { int64s($0.table, "id") }
        #expect(all.sorted() == (0..<1000).map(Int64.init))
        let validation = parts.filter { $0.name.hasSuffix("val.arrow") }.reduce(0) { $0 + $1.table.rowCount }
        #expect(validation == 200)
        // Round robin: partitions differ by at most one subject per side.
        let trainingSizes = parts.filter { $0.name.hasSuffix("trn.arrow") }.map(\.table.rowCount)
        #expect(trainingSizes.max()! - trainingSizes.min()! <= 1)
        // Rows keep their original order inside a file.
        for part in parts { #expect(int64s(part.table, "id") == int64s(part.table, "id").sorted()) }
    }

    @Test func sameSeedGivesIdenticalFilesAndOtherSeedsDiffer() throws {
        let s = try Scratch()
        let input = try s.file("t.csv", idTable(300))
        func run(_ seed: UInt64, _ ws: String) throws -> [Data] {
            var options = SplitOptions(targetPath: input, workspace: ws)
            options.partitions = 2
            options.seed = seed
            _ = try Split.run(options)
            return try Workspace(path: ws).partitionFiles(.target).map { try Data(contentsOf: $0) }
        }
        let a = try run(1, s.dir.appendingPathComponent("a").path)
        let b = try run(1, s.dir.appendingPathComponent("b").path)
        let c = try run(2, s.dir.appendingPathComponent("c").path)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func metadataRecordsKeysAndEncodings() throws {
        let s = try Scratch()
        var options = SplitOptions(targetPath: try s.file("t.csv", "id,when,city,amount\n1,2024-01-02,Wien,3.5\n2,2024-02-03,Graz,\n"), workspace: s.workspace)
        options.primaryKey = "id"
        options.targetEncodings = ["amount": .numericDigit]
        _ = try Split.run(options)
        let meta = Workspace(path: s.workspace).metaDirectory(.target)
        let encodings = try MetadataJSON.read(EncodingTypesFile.self, from: meta.appendingPathComponent("encoding-types.json"))
        #expect(encodings.columns == [.init(column: "when", encoding: .datetime), .init(column: "city", encoding: .categorical),
                                      .init(column: "amount", encoding: .numericDigit)])
        let keys = try MetadataJSON.read(KeysFile.self, from: meta.appendingPathComponent("keys.json"))
        #expect(keys == KeysFile(primaryKey: "id", contextKey: nil))
    }

    @Test func keyAndOptionErrorsAreClear() throws {
        let s = try Scratch()
        let input = try s.file("t.csv", "id,x\n1,a\n2,b\n1,c\n")
        var options = SplitOptions(targetPath: input, workspace: s.workspace)
        options.primaryKey = "nope"
        #expect(throws: PipelineError.invalidOption("\(input): primary key column 'nope' not found; columns are id, x")) { try Split.run(options) }
        options.primaryKey = "id"
        let error = #expect(throws: (any Error).self) { try Split.run(options) }
        #expect("\(error!)".contains("primary key 'id' is not unique: repeated value(s) '1'"))
        options.primaryKey = nil
        options.targetEncodings = ["x": .numericAuto]
        let typeError = #expect(throws: PipelineError.self) { try Split.run(options) }
        #expect("\(typeError!)".contains("column 'x' holds string values"))
        options.targetEncodings = ["ghost": .categorical]
        #expect(throws: PipelineError.invalidOption("\(input): encoding type given for unknown column 'ghost'")) { try Split.run(options) }
        options.targetEncodings = [:]
        options.validationFraction = 1
        #expect(throws: PipelineError.self) { try Split.run(options) }
    }
}

@Suite struct SplitCensusTests {
    @Test(.enabled(if: TestSupport.sharedDataFile("census.csv.gz") != nil))
    func censusRowsAreSplitWholeAndDeterministically() throws {
        let s = try Scratch()
        let input = TestSupport.sharedDataFile("census.csv.gz")!
        var options = SplitOptions(targetPath: input, workspace: s.workspace)
        options.partitions = 4
        options.seed = 5
        let summary = try Split.run(options)
        #expect(summary.subjects == 48_842)
        #expect(summary.trainingSubjects == 39_074)
        #expect(summary.target.encodings.count == 15)
        let parts = try s.partitions(.target)
        #expect(parts.count == 8)
        #expect(parts.reduce(0) { $0 + $1.table.rowCount } == 48_842)
        // The multiset of a column's values is preserved by the split.
        let original = try DataFiles.read(path: input)
        func ageHistogram(_ tables: [Table]) -> [Int64: Int] {
            var counts: [Int64: Int] = [:]
            for t in tables { for v in int64s(t, "age") { counts[v, default: 0] += 1 } }
            return counts
        }
        #expect(ageHistogram(parts.map(\.table)) == ageHistogram([original]))
        let first = try parts.map { try Data(contentsOf: Workspace(path: s.workspace).dataDirectory(.target).appendingPathComponent($0.name)) }
        _ = try Split.run(options)
        let second = try Workspace(path: s.workspace).partitionFiles(.target).map { try Data(contentsOf: $0) }
        #expect(first == second)
    }
}

@Suite struct SplitSequentialTests {
    @Test func subjectsStayWholeAndContextRowsWithoutEventsAreKept() throws {
        let s = try Scratch()
        var ctx = "pid,country\n"
        var tgt = "pid,year,score\n"
        for p in 0..<60 {
            ctx += "p\(p),c\(p % 3)\n"
            for y in 0..<(p % 5) { tgt += "p\(p),\(2000 + y),\(p * y)\n" }  // p % 5 == 0: no events
        }
        var options = s.sequentialOptions(target: try s.file("t.csv", tgt), context: try s.file("c.csv", ctx))
        options.partitions = 4
        options.seed = 3
        let summary = try Split.run(options)
        #expect(summary.subjects == 60)
        let targetParts = try s.partitions(.target)
        let contextParts = try s.partitions(.context)
        #expect(targetParts.map(\.name) == contextParts.map(\.name))
        var seenSubjects = Set<String>()
        for (t, c) in zip(targetParts, contextParts) {
            let subjects = Set(strings(c.table, "pid"))
            #expect(seenSubjects.isDisjoint(with: subjects))
            seenSubjects.formUnion(subjects)
            // Every event of the file belongs to a subject of the matching context file ...
            #expect(Set(strings(t.table, "pid")).isSubset(of: subjects))
            // ... and carries all of that subject's events.
            for subject in subjects {
                let p = Int(subject.dropFirst())!
                #expect(strings(t.table, "pid").filter { $0 == subject }.count == p % 5)
            }
        }
        #expect(seenSubjects.count == 60)
        let ctxMeta = try MetadataJSON.read(EncodingTypesFile.self, from: Workspace(path: s.workspace).metaDirectory(.context).appendingPathComponent("encoding-types.json"))
        #expect(ctxMeta.columns == [.init(column: "country", encoding: .categorical)])
    }

    @Test func textContextKeysMakeAKeyOnlyContextInFirstAppearanceOrder() throws {
        let s = try Scratch()
        var options = SplitOptions(targetPath: try s.file("t.csv", "user,amount\nb,5\na,6\nb,7\nc,8\n"), workspace: s.workspace)
        options.contextKey = "user"
        options.validationFraction = 0
        #expect(try Split.run(options).subjects == 3)
        #expect(strings(try s.partitions(.context)[0].table, "user") == ["b", "a", "c"])
    }

    @Test func unknownContextKeysAreReportedWithCountAndExamples() throws {
        let s = try Scratch()
        let options = s.sequentialOptions(target: try s.file("t.csv", "pid,v\na,1\nb,2\nzz,3\nzz,4\nyy,5\n"), context: try s.file("c.csv", "pid\na\nb\n"))
        let error = #expect(throws: (any Error).self) { try Split.run(options) }
        #expect("\(error!)".contains("3 row(s) have a context key 'pid' with no matching 'pid'"))
        #expect("\(error!)".contains("'zz', 'yy'"))
    }

    @Test func contextKeyWithoutContextTableMakesAKeyOnlyContext() throws {
        let s = try Scratch()
        var options = SplitOptions(targetPath: try s.file("t.csv", "user,amount\n1,5\n2,6\n1,7\n3,8\n"), workspace: s.workspace)
        options.contextKey = "user"
        options.validationFraction = 0
        let summary = try Split.run(options)
        #expect(summary.subjects == 3)
        let context = try s.partitions(.context)
        #expect(context.first?.table.schema.names == ["user"])
        #expect(int64s(context[0].table, "user").sorted() == [1, 2, 3])
    }

    /// The rows of every partition file of `role`, as text, in file order.
    private func partitionRows(_ s: Scratch, _ role: Workspace.Role) throws -> [[String]] {
        try s.partitions(role).map { part in
            (0..<part.table.rowCount).map { row in part.table.row(row).map { $0?.description ?? "<null>" }.joined(separator: "|") }
        }
    }

    @Test func parquetAndArrowInputsAreStreamedInBatchesWithTheSameRowsAsOneRead() throws {
        let s = try Scratch()
        var tgt = "pid,year,score,label\n"
        for p in 0..<300 {
            // Subjects' events interleaved through the file; some missing values and no-event subjects.
            for y in 0..<(p % 4) { tgt += "p\(p),\(2000 + y),\(y == 1 ? "" : String(p * y)),\(["a", "b", ""][(p + y) % 3])\n" }
        }
        let lines = tgt.split(separator: "\n").dropFirst()
        let shuffled = "pid,year,score,label\n" + lines.enumerated().sorted { ($0.offset * 7919) % lines.count < ($1.offset * 7919) % lines.count }
            .map(\.element).joined(separator: "\n") + "\n"
        let csv = try s.file("t.csv", shuffled)
        let context = try s.file("c.csv", "pid,country\n" + (0..<300).map { "p\($0),c\($0 % 5)" }.joined(separator: "\n") + "\n")
        let table = try DataFiles.read(path: csv)
        var parquetOptions = ParquetWriteOptions()
        parquetOptions.rowGroupRows = 37
        let parquet = s.dir.appendingPathComponent("t.parquet").path
        try ParquetWriter.write(table, to: parquet, options: parquetOptions)
        let arrow = s.dir.appendingPathComponent("t.arrow").path
        try ArrowIPC.write(table, to: arrow)

        func split(_ path: String, batchRows: Int) throws -> (target: [[String]], context: [[String]]) {
            var options = s.sequentialOptions(target: path, context: context)
            options.partitions = 3
            options.seed = 11
            options.batchRows = batchRows
            _ = try Split.run(options)
            return (try partitionRows(s, .target), try partitionRows(s, .context))
        }
        let whole = try split(csv, batchRows: 1 << 20)
        #expect(whole.target.joined().count == lines.count)
        for (path, batchRows) in [(parquet, 100), (parquet, 1), (arrow, 50), (parquet, 1 << 20)] {
            let streamed = try split(path, batchRows: batchRows)
            #expect(streamed.target == whole.target, "\(path) in batches of \(batchRows)")
            #expect(streamed.context == whole.context)
        }
        // Many batches make files of several record batches that every step reads.
        let file = try Workspace(path: s.workspace).partitionFiles(.target)[0]
        let reread = try ArrowIPC.read(path: file.path)
        #expect(reread.rowCount == whole.target[0].count)
    }

    @Test func aFailedSplitLeavesThePreviousPartitions() throws {
        let s = try Scratch()
        var options = s.sequentialOptions(target: try s.file("t.csv", "pid,v\na,1\nb,2\n"), context: try s.file("c.csv", "pid\na\nb\n"))
        _ = try Split.run(options)
        let before = try partitionRows(s, .target)
        options.targetPath = try s.file("t2.csv", "pid,v\na,1\nzz,2\n")
        #expect(throws: (any Error).self) { try Split.run(options) }
        #expect(try partitionRows(s, .target) == before)
    }

    @Test(.enabled(if: TestSupport.sharedDataFile("baseball-players.csv.gz") != nil))
    func baseballSubjectsStayTogether() throws {
        let s = try Scratch()
        var options = SplitOptions(targetPath: TestSupport.sharedDataFile("baseball-batting.csv.gz")!, workspace: s.workspace)
        options.contextPath = TestSupport.sharedDataFile("baseball-players.csv.gz")!
        options.contextPrimaryKey = "id"
        options.contextKey = "players_id"
        options.partitions = 3
        options.seed = 11
        let summary = try Split.run(options)
        #expect(summary.subjects == 19_878)
        #expect(summary.trainingSubjects == Int((19_878 * 0.8).rounded()))
        let targetParts = try s.partitions(.target)
        let contextParts = try s.partitions(.context)
        #expect(targetParts.reduce(0) { $0 + $1.table.rowCount } == 107_429)
        #expect(contextParts.reduce(0) { $0 + $1.table.rowCount } == 19_878)
        var owner: [String: String] = [:]
        for (t, c) in zip(targetParts, contextParts) {
            let subjects = Set(strings(c.table, "id"))
            for key in strings(t.table, "players_id") {
                #expect(subjects.contains(key))
                if let previous = owner.updateValue(t.name, forKey: key) { #expect(previous == t.name) }
            }
        }
    }
}
