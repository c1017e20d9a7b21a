import DoppelModel
import DoppelParallel
import DoppelTestSupport
import Foundation
import Testing
@testable import Doppel

/// Imputation, rebalancing and fairness on a table with a known joint distribution: `group` is "a" (30 %)
/// or "b"; `flag` is "x" with probability 0.8 in group a and 0.2 in group b; `size` is about
/// 10 in group a and 50 in group b.
@Suite struct ImputeRebalanceTests {
    static let rows = 4_000

    static func knownTable() -> String {
        var random = SeededRandom(seed: 21)
        var lines = ["group,flag,size"]
        for _ in 0..<rows {
            let a = random.nextDouble() < 0.3
            let x = random.nextDouble() < (a ? 0.8 : 0.2)
            let size = (a ? 10 : 50) + Int(random.nextDouble() * 5)
            lines.append("\(a ? "a" : "b"),\(x ? "x" : "y"),\(size)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let workspace = Result { () throws -> String in
        let ws = try TrainFixture.encodedCSV(knownTable())
        _ = try TrainFixture.train(ws, maxEpochs: 15)
        return ws
    }

    func generate(_ name: String, configure: (inout GenerateOptions) -> Void) throws -> Table {
        let path = try TestSupport.temporaryDirectory("impute").appendingPathComponent(name).path
        var options = GenerateOptions(workspace: try Self.workspace.get(), outputPath: path)
        options.seed = 5
        configure(&options)
        _ = try Generate.run(options)
        return try TrainFixture.read(path)
    }

    @Test func imputedCellsFollowTheConditionalAndTheRestIsKept() throws {
        // 2,000 seed rows: group given; flag missing in every other row, "y" in the rest.
        let seedPath = try TestSupport.temporaryDirectory("impute-seed").appendingPathComponent("seed.csv").path
        var lines = ["group,flag"]
        for i in 0..<2_000 { lines.append("\(i < 1_000 ? "a" : "b"),\(i % 2 == 0 ? "" : "y")") }
        try (lines.joined(separator: "\n") + "\n").write(toFile: seedPath, atomically: false, encoding: .utf8)
        let table = try generate("imputed.csv") { $0.seedDataPath = seedPath; $0.imputeColumns = ["flag"] }
        let groups = TrainFixture.texts(try #require(table.column(named: "group")))
        let flags = TrainFixture.texts(try #require(table.column(named: "flag")))
        #expect(table.rowCount == 2_000)
        #expect(groups == (0..<2_000).map { $0 < 1_000 ? "a" : "b" })
        // Present values kept; no cell left missing.
        #expect((0..<2_000).filter { $0 % 2 == 1 }.allSatisfy { flags[$0] == "y" })
        #expect(flags.allSatisfy { $0 == "x" || $0 == "y" })
        // Imputed shares of "x": 0.8 in group a, 0.2 in group b (500 draws each: ±0.09 is 5 standard errors).
        let imputedA = (0..<1_000).filter { $0 % 2 == 0 }.map { flags[$0] }
        let imputedB = (1_000..<2_000).filter { $0 % 2 == 0 }.map { flags[$0] }
        let shareA = Double(imputedA.filter { $0 == "x" }.count) / 500, shareB = Double(imputedB.filter { $0 == "x" }.count) / 500
        #expect(abs(shareA - 0.8) < 0.09, "P(x | a) imputed \(shareA)")
        #expect(abs(shareB - 0.2) < 0.09, "P(x | b) imputed \(shareB)")
        // The column the seed lacks is generated as usual.
        #expect(table.column(named: "size")?.count == 2_000)
    }

    @Test func severalDrawsGiveAPointEstimate() throws {
        // flag missing in every row, size missing in every other one: 15 draws each.
        let seedPath = try TestSupport.temporaryDirectory("impute-draws").appendingPathComponent("seed.csv").path
        var lines = ["group,flag,size"]
        for i in 0..<400 { lines.append("\(i < 200 ? "a" : "b"),,\(i % 2 == 0 ? "" : "77")") }
        try (lines.joined(separator: "\n") + "\n").write(toFile: seedPath, atomically: false, encoding: .utf8)
        let table = try generate("draws.csv") {
            $0.seedDataPath = seedPath
            $0.imputeColumns = ["flag", "size"]
            $0.imputeDraws = 15
            $0.imputeAggregate = .median
        }
        let flags = TrainFixture.texts(try #require(table.column(named: "flag")))
        // The mode of 15 draws of P(x | a) = 0.8 is almost always x; of P(x | b) = 0.2 almost always y.
        #expect(flags[..<200].filter { $0 == "x" }.count >= 190)
        #expect(flags[200...].filter { $0 == "y" }.count >= 190)
        guard case .int64(let sizes)? = table.column(named: "size") else { Issue.record("size is not int64"); return }
        for i in 0..<400 {
            if i % 2 == 1 { #expect(sizes.values[i] == 77) } else { #expect(i < 200 ? (10...14).contains(sizes.values[i]) : (50...54).contains(sizes.values[i])) }
        }
        #expect(ImputeAggregation.median([3, 1, 4, 2]) == 2.5)
        #expect(ImputeAggregation.mode([Value.string("b"), .string("a"), .string("a"), .string("b")]) == .string("b"))
    }

    /// Cells combine on the columns' own types: missing draws are skipped, agreement wins, means
    /// and medians of integers and dates are rounded, text and booleans take the mode.
    @Test func drawsCombineCellByCellOnEveryType() {
        let ints: [Column] = [.int64([1, nil, 5, nil]), .int64([2, nil, 5, 7]), .int64([2, nil, 5, nil])]
        guard case .int64(let mean) = ImputeAggregation.combine(ints, .mean),
              case .int64(let mode) = ImputeAggregation.combine(ints, .mode) else { Issue.record("int64 in, int64 out"); return }
        #expect((0..<4).map { mean[$0] } == [2, nil, 5, 7])  // (1 + 2 + 2) / 3 = 1.67 → 2
        #expect(mode[0] == 2)
        let dates: [Column] = [.date([10]), .date([11]), .date([13]), .date([20])]
        guard case .date(let median) = ImputeAggregation.combine(dates, .median) else { Issue.record("date in, date out"); return }
        #expect(median[0] == 12)  // (11 + 13) / 2
        let floats: [Column] = [.float64([0.5]), .float64([1.0])]
        guard case .float64(let average) = ImputeAggregation.combine(floats, .mean) else { Issue.record("float64 in, float64 out"); return }
        #expect(average[0] == 0.75)
        let texts: [Column] = [.string(["b", nil]), .string(["a", nil]), .string(["a", "z"]), .string(["b", nil])]
        guard case .string(let words) = ImputeAggregation.combine(texts, .mean) else { Issue.record("string in, string out"); return }
        #expect(words[0] == "b" && words[1] == "z", "ties go to the value drawn first; a mean of text is its mode")
        let flags: [Column] = [.bool([true]), .bool([false]), .bool([false])]
        guard case .bool(let bits) = ImputeAggregation.combine(flags, .median) else { Issue.record("bool in, bool out"); return }
        #expect(bits[0] == 0)
    }

    @Test func rebalancedSharesAreExactAndTheConditionalIsKept() throws {
        // `sample`: no `_RARE_` (the model keeps a residual probability of ~1e-3 for it).
        let table = try generate("rebalanced.csv") {
            $0.rows = 3_000
            $0.rebalancing = Rebalancing(column: "group", shares: [("a", 0.5)])
            $0.rareCategoryReplacement = .sample
        }
        let groups = TrainFixture.texts(try #require(table.column(named: "group")))
        let flags = TrainFixture.texts(try #require(table.column(named: "flag")))
        let inA = (0..<3_000).filter { groups[$0] == "a" }
        #expect(abs(Double(inA.count) / 3_000 - 0.5) <= 0.01)
        #expect(groups.allSatisfy { $0 == "a" || $0 == "b" })
        // P(flag = x | group = a) stays about 0.8 (1,500 draws: ±0.06 is 6 standard errors).
        let share = Double(inA.filter { flags[$0] == "x" }.count) / Double(inA.count)
        #expect(abs(share - 0.8) < 0.06, "P(x | a) \(share)")
        // The rows not given "a" draw their group first (before flag): P(x | b) stays about 0.2.
        // Drawn later, the suppressed "a" would force b onto rows whose flag was drawn for the
        // whole population (about 0.29).
        let inB = (0..<3_000).filter { groups[$0] == "b" }
        let shareB = Double(inB.filter { flags[$0] == "x" }.count) / Double(inB.count)
        #expect(abs(shareB - 0.2) < 0.05, "P(x | b) \(shareB)")
    }

    @Test func fairnessGivesEveryGroupTheSameTargetShares() throws {
        // In the data P(x | a) − P(x | b) = 0.6; with fairness it is below 0.01.
        let table = try generate("fair.csv") {
            $0.rows = 4_000
            $0.fairness = Fairness(target: "flag", sensitive: ["group"])
            $0.rareCategoryReplacement = .sample
        }
        let groups = TrainFixture.texts(try #require(table.column(named: "group")))
        let flags = TrainFixture.texts(try #require(table.column(named: "flag")))
        func share(_ group: String) -> Double {
            let rows = (0..<groups.count).filter { groups[$0] == group }
            return Double(rows.filter { flags[$0] == "x" }.count) / Double(rows.count)
        }
        #expect(abs(share("a") - share("b")) < 0.01, "P(x | a) \(share("a")), P(x | b) \(share("b"))")
        // The groups keep the model's shares (about 30 % a), and size still follows the group.
        let inA = Double(groups.filter { $0 == "a" }.count) / 4_000
        #expect(abs(inA - 0.3) < 0.05)
        guard case .int64(let sizes)? = table.column(named: "size") else { Issue.record("size is not int64"); return }
        let consistent = (0..<4_000).filter { groups[$0] == "a" ? sizes.values[$0] < 30 : sizes.values[$0] >= 30 }.count
        #expect(consistent >= 3_800)
        #expect { try generate("f1.csv") { $0.fairness = Fairness(target: "flag", sensitive: ["groups"]) } } throws: {
            "\($0)".contains("--sensitive 'groups' is not a modelled column")
        }
        #expect { try generate("f2.csv") { $0.fairness = Fairness(target: "flag", sensitive: ["flag"]) } } throws: {
            "\($0)".contains("also a --sensitive column")
        }
    }

    @Test func badRequestsAreRefusedWithTheReason() throws {
        #expect(throws: PipelineError.self) { try Rebalancing(parsing: "group") }
        #expect { try generate("r1.csv") { $0.rebalancing = Rebalancing(column: "group", shares: [("c", 0.5)]) } } throws: {
            "\($0)".contains("'c' is not a category")
        }
        #expect { try generate("r2.csv") { $0.rebalancing = Rebalancing(column: "size", shares: [("10", 0.5)]) } } throws: {
            "\($0)".contains("only categorical columns")
        }
        #expect { try generate("r3.csv") { $0.rebalancing = Rebalancing(column: "group", shares: [("a", 0.7), ("b", 0.6)]) } } throws: {
            "\($0)".contains("add up to")
        }
        #expect { try generate("i1.csv") { $0.imputeColumns = ["flags"] } } throws: { "\($0)".contains("'flags' is not a modelled column") }
        let parsed = try Rebalancing(parsing: "income=>50K:0.5,<=50K:0.5")
        #expect(parsed.column == "income" && parsed.shares.map(\.value) == [">50K", "<=50K"] && parsed.shares.map(\.share) == [0.5, 0.5])
    }
}

/// The privacy cost of a whole release in model.json: DP-SGD's (ε, δ) and σ next to the ε that
/// analyze's differentially private statistics spent.
@Suite struct ReleasePrivacyTests {
    @Test func modelJSONRecordsTheStatisticsEpsilonToo() throws {
        let ws = try PipelineFixture.titanic(partitions: 1)
        var analyze = AnalyzeOptions(workspace: ws)
        analyze.dpEpsilon = 1.5
        _ = try Analyze.run(analyze)
        _ = try PipelineFixture.encode(ws)
        let summary = try TrainFixture.train(ws, maxEpochs: 2, privacy: DPSGD(noiseMultiplier: 1.5, maxGradNorm: 1, maxEpsilon: 5, delta: 1e-5))
        let spent = try #require(try Encode.readStats(Workspace(path: ws), .target).valueProtectionEpsilonSpent)
        #expect(summary.training.statisticsEpsilon == spent)
        #expect(summary.training.privacyNoiseMultiplier == 1.5)
        #expect((summary.training.privacyEpsilon ?? 99) <= 5)
        // What generate prints: the model's ε, the statistics', and their sum.
        let release = try #require(ReleasePrivacy.read(Workspace(path: ws)))
        #expect(release.modelEpsilon == summary.training.privacyEpsilon && release.delta == 1e-5)
        #expect(release.statisticsEpsilon == spent && release.totalEpsilon == release.modelEpsilon + spent)
    }

    @Test func aModelWithoutDPSGDHasNoReleasePrivacy() throws {
        #expect(ReleasePrivacy.read(Workspace(path: try TrainFixture.titanic.get())) == nil)
    }
}
