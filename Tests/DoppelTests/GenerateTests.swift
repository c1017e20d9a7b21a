import DoppelEncoding
import DoppelModel
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

@Suite struct GenerateTests {
    private func generate(_ ws: String, _ name: String, configure: (inout GenerateOptions) -> Void = { _ in }) throws -> (GenerateSummary, String) {
        let path = try TestSupport.temporaryDirectory("generate").appendingPathComponent(name).path
        var options = GenerateOptions(workspace: ws, outputPath: path)
        options.seed = 3
        options.executor.jobs = 2
        configure(&options)
        return (try Generate.run(options), path)
    }

    private func originalSchema(_ ws: String) throws -> Schema {
        try ArrowIPC.read(path: try #require(try Workspace(path: ws).partitionFiles(.target).first).path).schema
    }

    @Test func generatesTheOriginalColumnsAndTypes() throws {
        let ws = try TrainFixture.titanic.get()
        let (summary, path) = try generate(ws, "out.arrow")
        let stats = try StatsFile.decode(try PipelineFixture.stats(ws))
        let table = try TrainFixture.read(path)
        #expect(summary.rows == stats.trainingRecords)
        #expect(table.rowCount == stats.trainingRecords)
        #expect(table.schema == (try originalSchema(ws)))
        // CSV output reads back with the same names; numbers stay numbers.
        let (_, csv) = try generate(ws, "out.csv") { $0.rows = 50 }
        let fromCSV = try TrainFixture.read(csv)
        #expect(fromCSV.rowCount == 50)
        #expect(fromCSV.schema.names == table.schema.names)
        #expect(fromCSV.column(named: "age")?.type.isNumeric == true)
    }

    @Test func theSameSeedGivesTheSameFile() throws {
        let ws = try TrainFixture.titanic.get()
        let (_, a) = try generate(ws, "a.csv") { $0.rows = 5000 }  // two sampler batches
        let (_, b) = try generate(ws, "b.csv") { $0.rows = 5000; $0.executor.jobs = 1 }
        let (_, c) = try generate(ws, "c.csv") { $0.rows = 5000; $0.seed = 4 }
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) != Data(contentsOf: URL(fileURLWithPath: c)))
    }

    @Test func rowsAreGeneratedInChunksWithBoundedMemory() throws {
        let ws = try TrainFixture.titanic.get()
        let (summary, csv) = try generate(ws, "chunked.csv") { $0.rows = 130; $0.chunkRows = 50 }
        #expect(summary.rows == 130)
        let table = try TrainFixture.read(csv)
        #expect(table.rowCount == 130)
        #expect(table.schema == (try originalSchema(ws)))
        // Chunks are independent draws: the second chunk does not repeat the first.
        let firstChunk = (0..<50).map { table.row($0) }
        let secondChunk = (50..<100).map { table.row($0) }
        #expect(firstChunk != secondChunk)
        // The same seed and chunk size give the same file, in every output format.
        let (_, again) = try generate(ws, "again.csv") { $0.rows = 130; $0.chunkRows = 50 }
        #expect(try Data(contentsOf: URL(fileURLWithPath: csv)) == Data(contentsOf: URL(fileURLWithPath: again)))
        let (_, parquet) = try generate(ws, "chunked.parquet") { $0.rows = 130; $0.chunkRows = 50 }
        let fromParquet = try TrainFixture.read(parquet)
        #expect(fromParquet.rowCount == 130)
        #expect((0..<130).map { fromParquet.row($0) }.map { $0.map { $0?.description } } == (0..<130).map { table.row($0) }.map { $0.map { $0?.description } })
    }

    @Test func seededColumnsAreReturnedExactly() throws {
        let ws = try TrainFixture.titanic.get()
        let dir = try TestSupport.temporaryDirectory("seed")
        let seedPath = dir.appendingPathComponent("seed.csv").path
        // Includes a value the model never saw (sex "other") and a missing pclass.
        var lines = ["sex,pclass"]
        for i in 0..<40 { lines.append("\(["male", "female", "other"][i % 3]),\(i % 7 == 0 ? "" : String(i % 3 + 1))") }
        try (lines.joined(separator: "\n") + "\n").write(toFile: seedPath, atomically: false, encoding: .utf8)
        let (summary, path) = try generate(ws, "seeded.arrow") { $0.seedDataPath = seedPath; $0.rows = 5 }
        #expect(summary.rows == 40)
        #expect(summary.seededColumns == ["sex", "pclass"])
        let table = try TrainFixture.read(path)
        let seed = try DataFiles.read(path: seedPath)
        #expect(table.schema == (try originalSchema(ws)))
        for name in ["sex", "pclass"] {
            #expect(TrainFixture.texts(try #require(table.column(named: name))) == TrainFixture.texts(try #require(seed.column(named: name))))
        }
        #expect(table.column(named: "survived")?.count == 40)
    }

    @Test func seedsSteerTheOtherColumns() throws {
        // city decides size's range (0…6, 10…16, 20…26): seeding the city must give its sizes.
        let ws = try TrainFixture.encodedCSV(TrainFixture.rareCitiesCSV, primaryKey: "id")
        _ = try TrainFixture.train(ws, maxEpochs: 40)
        let seedPath = try TestSupport.temporaryDirectory("seed").appendingPathComponent("seed.csv").path
        try ("city\n" + String(repeating: "Rome\n", count: 100)).write(toFile: seedPath, atomically: false, encoding: .utf8)
        let (_, path) = try generate(ws, "rome.csv") { $0.seedDataPath = seedPath }
        let table = try TrainFixture.read(path)
        guard case .int64(let sizes)? = table.column(named: "size") else { Issue.record("size is not int64"); return }
        let romeRange = sizes.values.array.filter { (20...26).contains($0) }.count
        #expect(romeRange >= 60, "\(romeRange) of 100 sizes in Rome's range")
    }

    @Test func anEmptySeedGivesAnEmptyTableWithTheColumns() throws {
        let ws = try TrainFixture.titanic.get()
        let seedPath = try TestSupport.temporaryDirectory("seed").appendingPathComponent("seed.csv").path
        try "sex,age\n".write(toFile: seedPath, atomically: false, encoding: .utf8)
        let (summary, path) = try generate(ws, "empty.csv") { $0.seedDataPath = seedPath }
        #expect(summary.rows == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").map(String.init) == [try originalSchema(ws).names.joined(separator: ",")])
    }

    @Test func aSeedColumnThatTheDataLacksIsAClearError() throws {
        let ws = try TrainFixture.titanic.get()
        let seedPath = try TestSupport.temporaryDirectory("seed").appendingPathComponent("seed.csv").path
        try "sex,colour\nmale,red\n".write(toFile: seedPath, atomically: false, encoding: .utf8)
        #expect {
            _ = try generate(ws, "bad.csv") { $0.seedDataPath = seedPath }
        } throws: { error in
            "\(error)".contains("'colour' is not a column of the training data")
        }
    }

    @Test func lowTemperatureGivesFewerDistinctValues() throws {
        let ws = try TrainFixture.titanic.get()
        func distinct(_ temperature: Float) throws -> Int {
            let (_, path) = try generate(ws, "t\(temperature).arrow") { $0.rows = 400; $0.temperature = temperature }
            return Set(TrainFixture.texts(try #require(try TrainFixture.read(path).column(named: "fare")))).count
        }
        let cold = try distinct(0.01), warm = try distinct(1)
        #expect(cold < warm, "temperature 0.01: \(cold) distinct fares, 1.0: \(warm)")
    }

    @Test func rareCategoriesAreKeptOrReplaced() throws {
        let ws = try TrainFixture.encodedCSV(TrainFixture.rareCitiesCSV, primaryKey: "id")
        _ = try TrainFixture.train(ws, maxEpochs: 5)
        func cities(_ replacement: RareCategoryReplacement) throws -> [String] {
            let (_, path) = try generate(ws, "\(replacement).csv") { $0.rows = 300; $0.rareCategoryReplacement = replacement }
            return TrainFixture.texts(try #require(try TrainFixture.read(path).column(named: "city")))
        }
        let constant = try cities(.constant), sampled = try cities(.sample)
        #expect(constant.contains(CategoricalStats.rareToken))
        #expect(!sampled.contains(CategoricalStats.rareToken))
        #expect(Set(sampled).isSubset(of: ["Berlin", "Paris", "Rome"]))
    }

    @Test func thePrimaryKeyIsRegenerated() throws {
        let ws = try TrainFixture.encodedCSV(TrainFixture.rareCitiesCSV, primaryKey: "id")
        _ = try TrainFixture.train(ws, maxEpochs: 2)
        let (summary, path) = try generate(ws, "keys.arrow") { $0.rows = 25 }
        #expect(summary.primaryKey == "id")
        let table = try TrainFixture.read(path)
        #expect(table.schema.names == ["id", "city", "size"])
        guard case .int64(let ids)? = table.column(named: "id") else { Issue.record("id is not int64"); return }
        #expect(ids.values.array == Array(1...25))
    }

    @Test func generatingWithoutAModelNamesTheMissingStep() throws {
        let ws = try PipelineFixture.titanic()
        _ = try PipelineFixture.analyze(ws)
        #expect {
            _ = try generate(ws, "none.csv")
        } throws: { error in
            "\(error)".contains("doppel train")
        }
    }
}
