import DoppelParallel
import DoppelTable
import Foundation
import Testing
@testable import DoppelEncoding

@Suite struct StatsFileTests {
    static let types: [(String, EncodingType)] = [
        ("cat", .categorical), ("amount", .numericAuto), ("price", .numericBinned), ("code", .numericDigit),
        ("when", .datetime), ("event", .datetimeRelative), ("plate", .character), ("where", .latLong),
    ]

    /// 300 subjects with 1–4 rows each; subjects 297–299 hold the canaries.
    static func table() -> (columns: [Column], keys: [Int64]) {
        var random = SeededRandom(seed: 11)
        var cat: [String?] = [], amount: [Int64?] = [], price: [Double?] = [], code: [Double?] = []
        var when: [Int64?] = [], event: [Int64?] = [], plate: [String?] = [], place: [String?] = [], keys: [Int64] = []
        let day = TemporalFormat.microsPerDay, base = Int64(TemporalFormat.daysFromCivil(year: 2015, month: 1, day: 1)) * day
        for s in 0..<300 {
            let canary = s >= 297
            var t = base + Int64(random.uniform(below: 3000)) * day
            for _ in 0..<(1 + random.uniform(below: 4)) {
                keys.append(Int64(s))
                cat.append(canary ? "CANARY-CATEGORY" : ["red", "green", "blue", nil][random.uniform(below: 4)])
                amount.append(canary ? 987_654_321 : Int64(random.uniform(below: 40)))
                price.append(canary ? 987_654_321.5 : (random.nextGaussian() * 20 + 100).rounded() / 4)
                code.append(canary ? 987_654_321 : Double(random.uniform(below: 900)) / 10)
                when.append(canary ? Int64(TemporalFormat.daysFromCivil(year: 2199, month: 1, day: 1)) * day : base + Int64(random.uniform(below: 1 << 40)) * 317)
                t += Int64(random.uniform(below: 9 * 86_400)) * 1_000_000
                event.append(canary ? t + 200 * 7 * day : t)
                plate.append(canary ? "QQ-999" : "AB-\(random.uniform(below: 100))")
                place.append(canary ? "-77.84600, 166.68600" : Quadtile.format(lat: 47 + Double(random.uniform(below: 3)), long: 8.5))
            }
        }
        return ([.string(cat), .int64(amount), .float64(price), .float64(code), .timestamp(when), .timestamp(event), .string(plate), .string(place)], keys)
    }

    /// Analyzes subjects `range` (a partition) of the table.
    static func partials(_ range: Range<Int64>) throws -> [PartialStats] {
        let (columns, keys) = table()
        let rows = keys.indices.filter { range.contains(keys[$0]) }
        let subjects = SubjectIDs.keys(Buffer(rows.map { keys[$0] }))
        return try zip(types, columns).map { (t, column) in try PartialStats.analyze(column.take(rows), as: t.1, subjects: subjects, name: t.0) }
    }

    static func statsFile(_ partials: [PartialStats], protection: ValueProtection) throws -> StatsFile {
        let entries = try zip(types, partials).map { (t, p) in
            StatsFile.Entry(name: t.0, stats: try p.finalize(FinalizeContext(seed: 42, column: t.0, protection: protection)))
        }
        return StatsFile(columns: entries, trainingRecords: 300)
    }

    static func merged(_ groups: [[PartialStats]]) throws -> [PartialStats] {
        var out = groups[0]
        for g in groups.dropFirst() { for i in out.indices { try out[i].merge(g[i], column: types[i].0) } }
        return out
    }

    @Test func bytesIdenticalWhateverTheGrouping() throws {
        let a = try Self.partials(0..<100), b = try Self.partials(100..<170), c = try Self.partials(170..<300)
        let whole = try Self.partials(0..<300)
        let leftFirst = try Self.merged([try Self.merged([a, b]), c])
        let rightFirst = try Self.merged([a, try Self.merged([c, b])])
        #expect(leftFirst == whole && rightFirst == whole)
        for protection in [ValueProtection.on, ValueProtection(dpEpsilon: 2)] {
            let x = try Self.statsFile(leftFirst, protection: protection).jsonData()
            let y = try Self.statsFile(rightFirst, protection: protection).jsonData()
            let z = try Self.statsFile(whole, protection: protection).jsonData()
            #expect(x == y && y == z)
        }
    }

    @Test func canariesNeverReachTheStatistics() throws {
        let file = try Self.statsFile(try Self.partials(0..<300), protection: .on)
        let json = String(decoding: try file.jsonData(), as: UTF8.self)
        #expect(!json.contains("CANARY"))
        #expect(!json.contains("98765"))
        #expect(!json.contains("QQ") && !json.contains("\"Q\""))
        #expect(!json.contains("-+"), "the canary's quad cell (south, east) must not be kept")
        if case .latLong(let s)? = file.stats(of: "where") { #expect(s.characters[0] == ["+"], "southern hemisphere of one subject") } else { Issue.record("where") }
        if case .datetime(let s)? = file.stats(of: "when") { #expect(s.partMax[0] < 2199) } else { Issue.record("when") }
        if case .datetimeRelative(let s)? = file.stats(of: "event") { #expect(s.maxWeek < 200) } else { Issue.record("event") }
        if case .numericBinned(let s)? = file.stats(of: "price") { #expect(s.max! < 1000) } else { Issue.record("price") }
        if case .numericDigit(let s)? = file.stats(of: "code") { #expect(s.max! < 1000 && s.maxDecimal <= 2) } else { Issue.record("code") }
        // Without protection the canaries are visible (the test can see them).
        let open = String(decoding: try Self.statsFile(try Self.partials(0..<300), protection: .off).jsonData(), as: UTF8.self)
        #expect(open.contains("CANARY"))
    }

    @Test func jsonRoundTripAndEveryColumnEncodes() throws {
        let file = try Self.statsFile(try Self.partials(0..<300), protection: .on)
        let data = try file.jsonData()
        let back = try StatsFile.decode(data)
        #expect(back == file)
        #expect(file.columns.map { $0.stats.encodingType } == [.categorical, .numericDigit, .numericBinned, .numericDigit, .datetime, .datetimeRelative, .character, .latLong])
        let (columns, keys) = Self.table()
        let subjects = SubjectIDs.keys(Buffer(keys))
        var random = SeededRandom(seed: 1)
        for (entry, column) in zip(file.columns, columns) {
            let codes = try entry.stats.encode(column, subjects: subjects, name: entry.name, random: &random)
            #expect(codes.subColumns.map(\.spec) == entry.stats.subColumns)
            for sub in codes.subColumns { #expect(sub.codes.array.allSatisfy { $0 >= 0 && $0 < sub.spec.cardinality }, "\(entry.name)/\(sub.name)") }
            let decoded = try entry.stats.decode(codes, subjects: subjects, name: entry.name, random: &random)
            #expect(decoded.count == column.count)
        }
    }

    @Test func foreignVersionsAreRejected() throws {
        var text = String(decoding: try StatsFile(columns: []).jsonData(), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"formatVersion\" : \(StatsFile.currentFormatVersion)", with: "\"formatVersion\" : 99")
        #expect(throws: EncodingError.self) { _ = try StatsFile.decode(Data(text.utf8)) }
        #expect(throws: EncodingError.self) { _ = try StatsFile.decode(Data("[1,2]".utf8)) }
    }
}

@Suite struct SequenceLengthTests {
    @Test func protectedLengthsDropTheExtremes() {
        // 21 subjects with lengths 0...20: 5–7 dropped on each side.
        let partial = SequenceLengthPartial(lengths: Array(0...20))
        for seed in 0..<10 {
            let s = partial.finalize(FinalizeContext(seed: UInt64(seed), column: "seq"))
            #expect(s.max >= 13 && s.max <= 15)
            #expect(s.min >= 5 && s.min <= 7)
            #expect(s.median >= 9 && s.median <= 11 && s.isSequential)
        }
    }

    @Test func fewSubjectsMeanFlat() {
        let s = SequenceLengthPartial(lengths: [3, 5, 8]).finalize(FinalizeContext(seed: 1, column: "seq"))
        #expect(s.min == 1 && s.max == 1 && !s.isSequential)
        let open = SequenceLengthPartial(lengths: [3, 5, 8]).finalize(FinalizeContext(seed: 1, column: "seq", protection: .off))
        #expect(open.min == 3 && open.max == 8 && open.median == 5)
    }

    @Test func dpLengthsStayNearTheData() {
        var random = SeededRandom(seed: 2)
        let lengths = (0..<5000).map { _ in 1 + random.uniform(below: 30) }
        let s = SequenceLengthPartial(lengths: lengths).finalize(FinalizeContext(seed: 3, column: "seq", protection: ValueProtection(dpEpsilon: 1)))
        #expect(s.min >= 0 && s.min <= 3)
        #expect(s.max >= 27 && s.max <= 32)
        #expect(s.median >= 13 && s.median <= 18)
    }
}

@Suite struct ModelNamingTests {
    @Test func namesFollowTheReferenceConvention() throws {
        let cat = try CategoricalPartial(column: .string(["a"]), subjects: .rows(first: 0), name: "x").finalize(FinalizeContext(seed: 1, column: "x"))
        let file = StatsFile(columns: ["age", "scp1::a", "scp1::b", "city"].map { StatsFile.Entry(name: $0, stats: .categorical(cat)) })
        #expect(file.modelColumnNames(processor: .flatContext).map(\.prefix) == ["ctxflt:t0/c0", "ctxflt:t1/c1", "ctxflt:t1/c2", "ctxflt:t2/c3"])
        let cards = file.cardinalities(processor: .target)
        #expect(cards.map(\.name) == ["tgt:t0/c0__cat", "tgt:t1/c1__cat", "tgt:t1/c2__cat", "tgt:t2/c3__cat"])
        #expect(cards.allSatisfy { $0.cardinality == 1 })
    }
}
