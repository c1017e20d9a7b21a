import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelEncoding

@Suite struct DatetimeTests {
    func day(_ y: Int, _ m: Int, _ d: Int) -> Int32 { Int32(TemporalFormat.daysFromCivil(year: y, month: m, day: d)) }

    func stats(_ column: Column, subjects: SubjectIDs = .rows(first: 0), protection: ValueProtection = .off, seed: UInt64 = 1) throws -> DatetimeStats {
        try DatetimePartial(column: column, subjects: subjects, name: "t").finalize(FinalizeContext(seed: seed, column: "t", protection: protection))
    }

    @Test func timestampsRoundTripToTheMicrosecond() throws {
        var random = SeededRandom(seed: 1)
        let base = Int64(day(2024, 1, 1)) * TemporalFormat.microsPerDay
        let values: [Int64?] = (0..<300).map { i in i % 17 == 0 ? nil : base + Int64(random.uniform(below: 1 << 30)) * 29_999 + Int64(i) }
        let column = Column.timestamp(values)
        let s = try stats(column)
        #expect(s.hasTime && s.hasMs && s.hasUs)
        #expect(s.subColumns.prefix(4).map(\.name) == ["nan", "year", "month", "day"])
        let back = try s.decode(try s.encode(column, name: "t", random: &random), name: "t")
        for row in 0..<column.count { #expect(back.value(at: row) == column.value(at: row)) }
    }

    @Test func datesBefore1900AndAfter2100RoundTrip() throws {
        let values: [Int32?] = [day(1066, 10, 14), day(1899, 12, 31), day(2100, 3, 1), day(2400, 2, 29), nil, day(1970, 1, 1)]
        let column = Column.date(values)
        let s = try stats(column)
        #expect(!s.hasTime)
        #expect(s.partMin[0] == 1066 && s.partMax[0] == 2400)
        var random = SeededRandom(seed: 2)
        let back = try s.decode(try s.encode(column, name: "t", random: &random), name: "t")
        #expect(back.type == .date)
        for row in 0..<column.count { #expect(back.value(at: row) == column.value(at: row)) }
    }

    @Test func extremeDatesOfFewSubjectsAreProtected() throws {
        // 30 subjects in 2015, two subjects (5 rows each) in 1850 and 2250.
        var values: [Int32?] = [], keys: [Int64] = []
        for s in 0..<30 { values.append(day(2015, 1 + s % 12, 1 + s)); keys.append(Int64(s)) }
        for r in 0..<5 { values.append(day(1850, 1, 1 + r)); keys.append(100) }
        for r in 0..<5 { values.append(day(2250, 1, 1 + r)); keys.append(101) }
        let s = try stats(.date(values), subjects: .keys(Buffer(keys)), protection: .on)
        #expect(s.partMin[0] == 2015 && s.partMax[0] == 2015)
        var random = SeededRandom(seed: 3)
        let back = try s.decode(try s.encode(.date(values), name: "t", random: &random), name: "t")
        if case .date(let c) = back { for row in 0..<c.count { #expect(TemporalFormat.civilFromDays(Int(c.values[row])).year == 2015) } }
    }

    /// The reference turned 2010–2019 dates into a 2005–2041 range under DP; day-resolution bounds
    /// inside the coarse range keep the years of the data.
    @Test func dpBoundsAreTight() throws {
        var random = SeededRandom(seed: 4)
        let start = Int(day(2010, 1, 1)), end = Int(day(2020, 1, 1))
        let column = Column.date((0..<20_000).map { _ in Int32(start + random.uniform(below: end - start)) })
        let partial = try DatetimePartial(column: column, subjects: .rows(first: 0), name: "t")
        for seed in 0..<5 {
            let s = partial.finalize(FinalizeContext(seed: UInt64(seed), column: "t", protection: ValueProtection(dpEpsilon: 0.5)))
            #expect(s.partMin[0] >= 2009 && s.partMin[0] <= 2010, "\(s.partMin[0])")
            #expect(s.partMax[0] >= 2019 && s.partMax[0] <= 2020, "\(s.partMax[0])")
        }
    }

    /// Calendar ranges are public; times of day need 5–7 subjects.
    @Test func oneSubjectsTimeOfDayDoesNotShowUp() throws {
        let midnight = (0..<40).map { Int64(day(2020, 3, 1 + $0 % 20)) * TemporalFormat.microsPerDay }
        let column = Column.timestamp(midnight + [Int64(day(2020, 3, 5)) * TemporalFormat.microsPerDay + 3_600_000_123])
        let s = try stats(column, protection: .on)
        #expect(!s.hasTime && !s.hasMs)
        #expect(s.subColumns.map(\.name) == ["year", "month", "day"])
        // Bounds share year and month: months and days narrow to the protected bounds.
        #expect(s.partMin[1] == 3 && s.partMax[1] == 3)
        #expect((3...4).contains(s.partMin[2]) && (17...18).contains(s.partMax[2]))
        let open = try stats(column, protection: .off)
        #expect(open.hasTime && open.hasMs && open.hasUs)
    }

    @Test func badInputs() throws {
        var random = SeededRandom(seed: 5)
        for column in [Column.timestamp([]), .timestamp([nil, nil]), .date([day(2000, 1, 1)])] {
            let s = try stats(column, protection: .on)
            let back = try s.decode(try s.encode(column, name: "t", random: &random), name: "t")
            #expect(back.count == column.count && back.nullCount == column.count)
        }
        let text = Column.string(["2024-02-29 12:00:00", "2024-02-30", "not a date", nil, "2023-01-01T08:30:00.5",
                                  "99999999999999999-01-01", "2024-01-01 25:00:00"])
        let partial = try DatetimePartial(column: text, subjects: .rows(first: 0), name: "t")
        #expect(partial.unparsed == 4 && partial.nulls == 5)
        #expect(throws: EncodingError.self) { _ = try DatetimePartial(column: .float64([1]), subjects: .rows(first: 0), name: "t") }
    }

    @Test func mergeGroupingDoesNotChangeFinalStats() throws {
        var random = SeededRandom(seed: 6)
        let column = Column.timestamp((0..<1200).map { _ in Int64(random.uniform(below: 1 << 40)) * 1_000_003 })
        let parts = stride(from: 0, to: 1200, by: 200).map { try! DatetimePartial(column: column.slice($0..<$0 + 200), subjects: .rows(first: Int64($0)), name: "t") }
        var a = parts[0]; for p in parts.dropFirst() { try a.merge(p) }
        var b = parts[5]; for p in parts[0..<5] { try b.merge(p) }
        #expect(a == b)
        for protection in [ValueProtection.on, ValueProtection(dpEpsilon: 1)] {
            let ctx = FinalizeContext(seed: 5, column: "t", protection: protection)
            #expect(a.finalize(ctx) == b.finalize(ctx))
        }
    }
}
