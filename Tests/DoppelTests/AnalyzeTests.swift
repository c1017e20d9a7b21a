import DoppelEncoding
import DoppelParallel
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

@Suite struct AnalyzeTests {
    @Test func flatExampleGivesStatisticsOfEveryColumn() throws {
        let ws = try PipelineFixture.titanic()
        let summary = try PipelineFixture.analyze(ws)
        #expect(summary.context == nil)
        #expect(summary.target.columns.map(\.name) == ["survived", "pclass", "sex", "age", "sibsp", "parch", "fare", "embarked"])
        #expect(summary.target.trainingRecords == 1047)
        #expect(summary.target.validationRecords == 262)
        let file = try StatsFile.decode(try PipelineFixture.stats(ws))
        #expect(file.columns.map(\.name) == summary.target.columns.map(\.name))
        #expect(file.trainingRecords == 1047)
        #expect(file.sequenceLength == nil)
        // AUTO numeric columns resolve to a concrete numeric encoding.
        for column in summary.target.columns where column.declared == .numericAuto {
            #expect(column.stats.encodingType.isNumeric && column.stats.encodingType != .numericAuto)
        }
        guard case .categorical(let sex)? = file.stats(of: "sex") else { Issue.record("sex is not categorical"); return }
        let labels = Set(sex.subColumns.map(\.name))
        #expect(labels == ["cat"])
        #expect(sex.subColumns[0].cardinality >= 3)  // _RARE_, female, male
    }

    @Test func sequentialExampleAnalyzesBothTablesAndSequenceLengths() throws {
        let ws = try PipelineFixture.baseball()
        let summary = try PipelineFixture.analyze(ws)
        let context = try #require(summary.context)
        #expect(context.columns.map(\.name).contains("country"))
        #expect(!summary.target.columns.map(\.name).contains("players_id"))
        #expect(summary.target.trainingRecords + summary.target.validationRecords == 249)
        let lengths = try #require(summary.target.sequenceLength)
        #expect(lengths.min <= lengths.median && lengths.median <= lengths.max)
        #expect(lengths.max > 1)
        let contextFile = try StatsFile.decode(try PipelineFixture.stats(ws, .context))
        #expect(contextFile.sequenceLength == nil)
        #expect(contextFile.columns.count == context.columns.count)
    }

    /// A value held by fewer than five subjects never reaches stats.json when protection is on.
    @Test func rareValuesAndExtremesAreProtected() throws {
        var lines = ["city,amount"]
        for i in 0..<400 { lines.append("\(["Berlin", "Paris", "Rome", "Oslo"][i % 4]),\(i % 50)") }
        lines.append("CANARYVILLE,98765432")
        lines.append("CANARYVILLE,98765431")
        let ws = try PipelineFixture.csv(lines.joined(separator: "\n") + "\n", partitions: 2)
        _ = try PipelineFixture.analyze(ws, protection: true)
        let protected = String(decoding: try PipelineFixture.stats(ws), as: UTF8.self)
        #expect(!protected.contains("CANARYVILLE"))
        #expect(!protected.contains("98765"))
        #expect(protected.contains("Berlin"))
        _ = try PipelineFixture.analyze(ws, protection: false)
        let open = String(decoding: try PipelineFixture.stats(ws), as: UTF8.self)
        #expect(open.contains("CANARYVILLE"))
    }

    /// Sequential targets count subjects, not rows: one subject with many rows of a value is
    /// still one subject, so the value stays protected.
    @Test func sequentialTargetsCountSubjectsNotRows() throws {
        var lines = ["who,what"]
        for who in 0..<60 { for k in 0..<3 { lines.append("p\(who),\(["walk", "run", "swim"][(who + k) % 3])") } }
        for _ in 0..<12 { lines.append("p0,CANARYSPORT") }
        let dir = try TestSupport.temporaryDirectory("pipeline-subjects")
        let path = dir.appendingPathComponent("events.csv").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        var split = SplitOptions(targetPath: path, workspace: dir.appendingPathComponent("ws").path)
        split.contextKey = "who"
        split.partitions = 2
        _ = try Split.run(split)
        _ = try PipelineFixture.analyze(split.workspace, protection: true)
        let text = String(decoding: try PipelineFixture.stats(split.workspace), as: UTF8.self)
        #expect(!text.contains("CANARYSPORT"))
        #expect(text.contains("swim"))
    }

    @Test func differentialPrivacyRecordsTheBudget() throws {
        let ws = try PipelineFixture.titanic()
        var options = AnalyzeOptions(workspace: ws)
        options.dpEpsilon = 2
        _ = try Analyze.run(options)
        let file = try StatsFile.decode(try PipelineFixture.stats(ws))
        #expect(file.valueProtectionEpsilonSpent == 2)
        options.valueProtection = false
        #expect(throws: PipelineError.self) { try Analyze.run(options) }
    }

    /// Same seed ⇒ byte-identical stats.json for every backend and number of jobs.
    @Test(arguments: ["flat", "sequential"])
    func statisticsAreIdenticalAcrossBackendsAndJobs(_ kind: String) throws {
        let ws = kind == "flat" ? try PipelineFixture.titanic(partitions: 3) : try PipelineFixture.baseball(partitions: 3)
        _ = try PipelineFixture.analyze(ws, backend: .sequential, jobs: 1)
        let reference = try PipelineFixture.stats(ws)
        let referenceContext = kind == "flat" ? nil : try PipelineFixture.stats(ws, .context)
        var runs: [(Backend, Int)] = [(.threads, 1), (.threads, 2), (.threads, 8), (.sequential, 2)]
        if PipelineFixture.worker != nil { runs += [(.processes, 1), (.processes, 2), (.processes, 8)] }
        for (backend, jobs) in runs {
            _ = try PipelineFixture.analyze(ws, backend: backend, jobs: jobs)
            #expect(try PipelineFixture.stats(ws) == reference, "backend \(backend), jobs \(jobs)")
            if let referenceContext {
                #expect(try PipelineFixture.stats(ws, .context) == referenceContext, "backend \(backend), jobs \(jobs)")
            }
        }
        // The default backend with the same seed gives the same bytes too.
        _ = try PipelineFixture.analyze(ws, seed: 11)
        #expect(try PipelineFixture.stats(ws) == reference)
    }

    @Test func analyzeBeforeSplitIsAClearError() throws {
        let ws = try TestSupport.temporaryDirectory("pipeline-empty").path
        do {
            _ = try PipelineFixture.analyze(ws)
            Issue.record("analyze ran on an empty workspace")
        } catch let error as PipelineError {
            #expect(error.description.contains("doppel split"))
        }
    }

    @Test func unknownColumnInMetadataIsNamed() throws {
        let ws = try PipelineFixture.titanic()
        let url = Workspace(path: ws).metaDirectory(.target).appendingPathComponent("encoding-types.json")
        var types = try JSONDecoder().decode(EncodingTypesFile.self, from: Data(contentsOf: url))
        types.columns.append(.init(column: "ghost", encoding: .categorical))
        try JSONEncoder().encode(types).write(to: url)
        do {
            _ = try PipelineFixture.analyze(ws)
            Issue.record("analyze accepted an unknown column")
        } catch {
            #expect("\(error)".contains("'ghost'"))
            #expect("\(error)".contains("part-000000-trn.arrow"))
        }
    }

    @Test func aFailingTaskNamesPartitionAndColumn() throws {
        // The lat/long encoding declared on an integer column fails inside the task.
        let ws = try PipelineFixture.titanic()
        let url = Workspace(path: ws).metaDirectory(.target).appendingPathComponent("encoding-types.json")
        var types = try JSONDecoder().decode(EncodingTypesFile.self, from: Data(contentsOf: url))
        for i in types.columns.indices where types.columns[i].column == "pclass" { types.columns[i].encoding = .latLong }
        try JSONEncoder().encode(types).write(to: url)
        do {
            _ = try PipelineFixture.analyze(ws, backend: .sequential, jobs: 1)
            Issue.record("analyze accepted a lat/long encoding on integers")
        } catch {
            #expect("\(error)".contains("part-000000-trn.arrow"))
            #expect("\(error)".contains("column 'pclass'"))
        }
    }
}

/// The `doppel analyze` and `doppel encode` commands end to end (skipped when not built).
@Suite(.enabled(if: TestSupport.builtProduct("doppel") != nil)) struct AnalyzeEncodeCLITests {
    let doppel = TestSupport.builtProduct("doppel") ?? ""

    @Test func splitAnalyzeEncodeOnTheExample() throws {
        let ws = try PipelineFixture.titanic()
        let analyze = try TestSupport.run(doppel, ["analyze", "--workspace", ws, "--quiet", "--backend", "processes", "--jobs", "2"])
        #expect(analyze.status == 0)
        #expect(analyze.output.contains("TABULAR_NUMERIC_AUTO → TABULAR_NUMERIC_"))
        #expect(analyze.output.contains("backend processes"))
        let encode = try TestSupport.run(doppel, ["encode", "--workspace", ws, "--quiet"])
        #expect(encode.status == 0)
        #expect(encode.output.contains("tgt:sex__cat"))
        let bad = try TestSupport.run(doppel, ["analyze", "--workspace", ws, "--backend", "gpu"])
        #expect(bad.status != 0)
        #expect(bad.output.contains("unknown backend 'gpu'"))
    }

    /// Every command that does parallel work takes `--backend` and `--jobs`.
    @Test func parallelCommandsTakeBackendAndJobs() throws {
        for command in ["split", "analyze", "encode", "train", "generate", "synthesize", "evaluate"] {
            let help = try TestSupport.run(doppel, [command, "--help"])
            #expect(help.status == 0)
            #expect(help.output.contains("--backend") && help.output.contains("--jobs"), "doppel \(command)")
        }
    }

    /// `split` reads with the chosen backend and jobs; its partitions do not depend on them.
    @Test func splitGivesTheSamePartitionsWithAnyBackend() throws {
        func partitions(_ extra: [String]) throws -> [Data] {
            let ws = try TestSupport.temporaryDirectory("split-backend").appendingPathComponent("ws").path
            let result = try TestSupport.run(doppel, ["split", "--data", PipelineFixture.example("titanic.csv"), "--workspace", ws,
                                                      "--partitions", "2", "--seed", "5", "--quiet"] + extra)
            #expect(result.status == 0, "\(result.output)")
            return try Workspace(path: ws).partitionFiles(.target).map { try Data(contentsOf: $0) }
        }
        let reference = try partitions([])
        #expect(reference.count == 4)
        #expect(try partitions(["--backend", "sequential", "--jobs", "1"]) == reference)
        #expect(try partitions(["--backend", "processes", "--jobs", "2"]) == reference)
    }

    @Test func encodeBeforeAnalyzeExitsWithOneClearLine() throws {
        let ws = try PipelineFixture.titanic()
        let result = try TestSupport.run(doppel, ["encode", "--workspace", ws, "--quiet"])
        #expect(result.status == 1)
        #expect(result.output.hasPrefix("error: "))
        #expect(result.output.contains("doppel analyze"))
    }
}
