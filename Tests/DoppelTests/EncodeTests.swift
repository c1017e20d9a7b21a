import DoppelEncoding
import DoppelParallel
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// The values of an encoded integer column of any width as `Int`, or `nil` for another type.
private func integerValues(_ column: Column) -> [Int]? {
    guard case .int64(let c) = column.widenedToInt64() else { return nil }
    return c.values.array.map { Int($0) }
}

/// Reads the codes of `column` (sub-columns `{prefix}{column}__…`) back from an encoded file.
private func codes(_ table: Table, prefix: String, column: String, specs: [SubColumnSpec], rows: [Int]? = nil) -> EncodedColumn {
    let start = "\(prefix)\(column)__"
    var subs: [SubColumn] = []
    for spec in specs where spec.name.hasPrefix(start) {
        guard let column = table.column(named: spec.name), let values = integerValues(column) else { continue }
        let picked = rows ?? Array(0..<values.count)
        subs.append(SubColumn(spec: SubColumnSpec(String(spec.name.dropFirst(start.count)), spec.cardinality),
                              codes: Buffer(picked.map { Int32(values[$0]) })))
    }
    return EncodedColumn(rowCount: rows?.count ?? table.rowCount, subColumns: subs)
}

/// The column type that encode documents for a sub-column of `cardinality` (docs/workspace.md).
private func expectedCodeType(cardinality: Int) -> DataType {
    cardinality <= 127 ? .int8 : cardinality <= 32_767 ? .int16 : .int32
}

/// The integer values of column `name`, or `[]` (and a recorded issue) when it is missing.
private func integers(_ table: Table, _ name: String) -> [Int] {
    guard let column = table.column(named: name), let values = integerValues(column) else {
        Issue.record("no integer column \(name)")
        return []
    }
    return values
}

private func texts(_ column: Column) -> [String] {
    (0..<column.count).map { column.value(at: $0)?.description ?? "<null>" }
}

@Suite struct EncodeTests {
    @Test func flatCodesDecodeToTheOriginalValues() throws {
        let ws = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(ws, protection: false)
        let summary = try PipelineFixture.encode(ws)
        #expect(summary.files == 4)
        #expect(summary.rows == 1309)
        #expect(summary.sequenceSubColumns.isEmpty)
        let stats = try StatsFile.decode(try PipelineFixture.stats(ws))
        let expectedNames = stats.columns.flatMap { entry in entry.stats.subColumns.map { "tgt:\(entry.name)__\($0.name)" } }
        #expect(summary.subColumns.map(\.name) == expectedNames)

        let workspace = Workspace(path: ws)
        for file in try workspace.partitionFiles(.target) {
            let original = try ArrowIPC.read(path: file.path)
            let encodedPath = workspace.encodedDataDirectory.appendingPathComponent(file.lastPathComponent).path
            let encoded = try ArrowIPC.read(path: encodedPath)
            #expect(encoded.rowCount == original.rowCount)
            #expect(encoded.schema.names == expectedNames)
            let specs = try EncodedSchema.subColumns(ofFile: encodedPath)
            #expect(specs == summary.subColumns)
            for entry in stats.columns where entry.stats.encodingType != .numericBinned {
                var random = SeededRandom(seed: 1)
                let decoded = try entry.stats.decode(codes(encoded, prefix: "tgt:", column: entry.name, specs: specs),
                                                     subjects: .rows(first: 0), name: entry.name, random: &random)
                let source = try #require(original.column(named: entry.name))
                let a = texts(decoded), b = texts(source)
                // Numbers may come back as the other numeric type (1 vs 1.0): compare as numbers then.
                let same = zip(a, b).allSatisfy { $0 == $1 || (Double($0) != nil && Double($0) == Double($1)) }
                #expect(a.count == b.count && same, "\(file.lastPathComponent) column \(entry.name)")
            }
            for spec in specs {
                // Each sub-column is stored in the narrowest type for its cardinality.
                #expect(encoded.column(named: spec.name)?.type == expectedCodeType(cardinality: spec.cardinality), "\(spec.name)")
                #expect(integers(encoded, spec.name).allSatisfy { $0 >= 0 && $0 < spec.cardinality }, "\(spec.name)")
            }
        }
    }

    @Test func sequentialTargetsArePaddedSequencesInSubjectOrder() throws {
        let ws = try PipelineFixture.baseball()
        _ = try PipelineFixture.analyze(ws, protection: false)
        let summary = try PipelineFixture.encode(ws)
        #expect(summary.rows == 249)
        #expect(summary.sequenceSubColumns.prefix(3).map(\.name).allSatisfy { $0.hasPrefix("tgt:/__sidx_") || $0.hasPrefix("tgt:/__slen_") || $0.hasPrefix("tgt:/__ridx_") })
        #expect(summary.subColumns.contains { $0.name == "ctx:country__cat" })
        let stats = try StatsFile.decode(try PipelineFixture.stats(ws))
        let workspace = Workspace(path: ws)
        var padded = 0
        for file in try workspace.partitionFiles(.target) {
            let target = try ArrowIPC.read(path: file.path)
            let context = try ArrowIPC.read(path: workspace.partitionFile(.context, index: 0, side: .training).deletingLastPathComponent()
                .appendingPathComponent(file.lastPathComponent).path)
            let subjectsPath = workspace.encodedDataDirectory.appendingPathComponent(file.lastPathComponent).path
            let subjects = try ArrowIPC.read(path: subjectsPath)
            let sequencesPath = Encode.sequencesFile(subjectsPath)
            let sequences = try ArrowIPC.read(path: sequencesPath)
            #expect(subjects.rowCount == context.rowCount)
            #expect(sequences.rowCount == target.rowCount + context.rowCount)  // one pad row per subject
            padded += sequences.rowCount

            // Expected order: subjects in context order, each with its rows in file order.
            let ids = texts(try #require(context.column(named: "id")))
            let keys = texts(try #require(target.column(named: "players_id")))
            var expectedRows: [Int] = []
            var expectedStarts: [Int] = []
            for id in ids {
                expectedStarts.append(expectedRows.count + expectedStarts.count)
                expectedRows += keys.indices.filter { keys[$0] == id }
            }
            let starts = integers(subjects, EncodedSchema.sequenceStartColumn)
            let slen = integers(sequences, "tgt:/__slen_cat"), ridx = integers(sequences, "tgt:/__ridx_cat")
            let sidx = integers(sequences, "tgt:/__sidx_cat")
            guard starts.count == ids.count, [slen, ridx, sidx].allSatisfy({ $0.count == sequences.rowCount }) else { continue }
            #expect(starts == expectedStarts)
            // Widths: sub-columns by cardinality, sequence starts by their largest value.
            let largestStart = starts.max() ?? 0
            #expect(subjects.column(named: EncodedSchema.sequenceStartColumn)?.type == (largestStart <= 127 ? .int8 : largestStart <= 32_767 ? .int16 : .int32))
            for spec in try EncodedSchema.subColumns(ofFile: sequencesPath) + EncodedSchema.subColumns(ofFile: subjectsPath) {
                let table = spec.name.hasPrefix("ctx:") ? subjects : sequences
                #expect(table.column(named: spec.name)?.type == expectedCodeType(cardinality: spec.cardinality), "\(spec.name)")
            }
            var eventRows: [Int] = []
            for s in 0..<ids.count {
                let first = starts[s], end = s + 1 < ids.count ? starts[s + 1] : sequences.rowCount
                let length = end - first - 1
                for r in first..<end {
                    #expect(sidx[r] == r - first && slen[r] == length && ridx[r] == end - 1 - r)
                }
                eventRows += Array(first..<(end - 1))
            }
            // A categorical target column decodes to the target rows in subject order.
            let specs = try EncodedSchema.subColumns(ofFile: sequencesPath)
            let team = try #require(stats.stats(of: "team"))
            var random = SeededRandom(seed: 1)
            let decoded = try team.decode(codes(sequences, prefix: "tgt:", column: "team", specs: specs, rows: eventRows),
                                          subjects: .rows(first: 0), name: "team", random: &random)
            let source = try #require(target.column(named: "team"))
            #expect(texts(decoded) == texts(source.take(expectedRows)))
        }
        #expect(padded == summary.sequenceRows)
    }

    /// Datetime-relative codes depend on the order inside each sequence: rows of interleaved
    /// subjects are grouped first, and the codes decode to each subject's dates.
    @Test func datetimeRelativeSequencesDecodeWithInterleavedSubjects() throws {
        var lines = ["who,at,kind"]
        for day in 0..<12 {
            for who in 0..<30 where (who + day) % 4 != 0 {
                lines.append("s\(who),2024-01-\(String(format: "%02d", day + 1 + who % 7)),k\(day % 3)")
            }
        }
        let dir = try TestSupport.temporaryDirectory("pipeline-itt")
        let path = dir.appendingPathComponent("events.csv").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        var split = SplitOptions(targetPath: path, workspace: dir.appendingPathComponent("ws").path)
        split.contextKey = "who"
        split.targetEncodings = ["at": .datetimeRelative]
        _ = try Split.run(split)
        let ws = split.workspace
        _ = try PipelineFixture.analyze(ws, protection: false)
        _ = try PipelineFixture.encode(ws)
        let stats = try StatsFile.decode(try PipelineFixture.stats(ws))
        let at = try #require(stats.stats(of: "at"))
        #expect(at.encodingType == .datetimeRelative)
        let workspace = Workspace(path: ws)
        for file in try workspace.partitionFiles(.target) {
            let target = try ArrowIPC.read(path: file.path)
            let context = try ArrowIPC.read(path: workspace.dataDirectory(.context).appendingPathComponent(file.lastPathComponent).path)
            let subjectsPath = workspace.encodedDataDirectory.appendingPathComponent(file.lastPathComponent).path
            let sequences = try ArrowIPC.read(path: Encode.sequencesFile(subjectsPath))
            let starts = integers(try ArrowIPC.read(path: subjectsPath), EncodedSchema.sequenceStartColumn)
            guard !starts.isEmpty else { continue }
            let ids = texts(try #require(context.column(named: "who")))
            let keys = texts(try #require(target.column(named: "who")))
            var expectedRows: [Int] = [], eventRows: [Int] = [], subjectOfEvent: [Int64] = []
            for (s, id) in ids.enumerated() {
                let rows = keys.indices.filter { keys[$0] == id }
                expectedRows += rows
                let first = starts[s]
                eventRows += Array(first..<(first + rows.count))
                subjectOfEvent += Array(repeating: Int64(s), count: rows.count)
            }
            var random = SeededRandom(seed: 1)
            let specs = try EncodedSchema.subColumns(ofFile: Encode.sequencesFile(subjectsPath))
            let decoded = try at.decode(codes(sequences, prefix: "tgt:", column: "at", specs: specs, rows: eventRows),
                                        subjects: .keys(Buffer(subjectOfEvent)), name: "at", random: &random)
            let source = try #require(target.column(named: "at"))
            #expect(texts(decoded) == texts(source.take(expectedRows)), "\(file.lastPathComponent)")
        }
    }

    @Test(arguments: ["flat", "sequential"])
    func encodedFilesAreIdenticalAcrossBackendsAndJobs(_ kind: String) throws {
        let ws = kind == "flat" ? try PipelineFixture.titanic(partitions: 3) : try PipelineFixture.baseball(partitions: 3)
        _ = try PipelineFixture.analyze(ws)
        _ = try PipelineFixture.encode(ws, backend: .sequential, jobs: 1)
        let reference = try PipelineFixture.encodedFiles(ws)
        #expect(reference.count == (kind == "flat" ? 6 : 12))
        var runs: [(Backend, Int)] = [(.threads, 1), (.threads, 8)]
        if PipelineFixture.worker != nil { runs.append((.processes, 2)) }
        for (backend, jobs) in runs {
            _ = try PipelineFixture.encode(ws, backend: backend, jobs: jobs)
            #expect(try PipelineFixture.encodedFiles(ws) == reference, "backend \(backend), jobs \(jobs)")
        }
    }

    /// Codes are narrowed to the width of their cardinality; one outside it (an encoder bug)
    /// stops the run instead of wrapping around into another code.
    @Test func narrowingKeepsCodesAndStopsOnOutOfRange() async {
        guard case .int8(let narrow) = CodeWidth.narrowed(Buffer<Int32>([0, 5, 126]), cardinality: 127) else {
            Issue.record("expected int8 codes")
            return
        }
        #expect((0..<narrow.count).map { narrow.values[$0] } == [0, 5, 126])
        guard case .int16(let wider) = CodeWidth.narrowed(Buffer<Int32>([0, 128, 300]), cardinality: 301) else {
            Issue.record("expected int16 codes")
            return
        }
        #expect((0..<wider.count).map { wider.values[$0] } == [0, 128, 300])
        await #expect(processExitsWith: .failure) {
            _ = CodeWidth.narrowed(Buffer<Int32>([0, 200]), cardinality: 100)
        }
        // A sub-column added in a width other than its cardinality's stops too.
        await #expect(processExitsWith: .failure) {
            var builder = EncodedTableBuilder()
            builder.add(name: "x", cardinality: 1000, codes: .int8([0, 1]))
        }
    }

    @Test func encodeBeforeAnalyzeIsAClearError() throws {
        let ws = try PipelineFixture.titanic()
        do {
            _ = try PipelineFixture.encode(ws)
            Issue.record("encode ran without statistics")
        } catch let error as PipelineError {
            #expect(error.description.contains("doppel analyze"))
        }
    }
}
