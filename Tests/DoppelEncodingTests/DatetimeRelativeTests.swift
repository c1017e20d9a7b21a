import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelEncoding

@Suite struct DatetimeRelativeTests {
    /// `subjects` sequences of 1...6 events, `gapSeconds` apart on average, some dates missing.
    func sequences(subjects: Int, seed: UInt64, withMissing: Bool = true) -> (Column, SubjectIDs) {
        var random = SeededRandom(seed: seed)
        var values: [Int64?] = [], keys: [Int64] = []
        for s in 0..<subjects {
            var t = Int64(TemporalFormat.daysFromCivil(year: 2020, month: 1, day: 1) + random.uniform(below: 700)) * TemporalFormat.microsPerDay
                + Int64(random.uniform(below: 86_400)) * 1_000_000
            for e in 0..<(1 + random.uniform(below: 6)) {
                if e > 0 { t += Int64(random.uniform(below: 20 * 86_400)) * 1_000_000 }
                values.append(withMissing && e > 0 && random.uniform(below: 10) == 0 ? nil : t)
                keys.append(Int64(s))
            }
        }
        return (.timestamp(values), .keys(Buffer(keys)))
    }

    @Test func roundTripRestoresEverySequenceToTheSecond() throws {
        let (column, subjects) = sequences(subjects: 200, seed: 1)
        let stats = try DatetimeRelativePartial(column: column, subjects: subjects, name: "t").finalize(FinalizeContext(seed: 1, column: "t", protection: .off))
        #expect(stats.subColumns.map(\.name).contains("itt_week"))
        #expect(stats.subColumns.first?.name == "nan")
        var random = SeededRandom(seed: 2)
        let codes = try stats.encode(column, subjects: subjects, name: "t", random: &random)
        let back = try stats.decode(codes, subjects: subjects, name: "t")
        for row in 0..<column.count { #expect(back.value(at: row) == column.value(at: row)) }
    }

    /// Missing dates are filled within their own sequence only (the reference's un-grouped
    /// backward fill could borrow the next subject's date).
    @Test func fillStaysWithinTheSequence() throws {
        let day = TemporalFormat.microsPerDay
        let column = Column.timestamp([nil, nil, 100 * day, 101 * day])
        let keys = SubjectIDs.keys(Buffer([1, 1, 2, 2]))
        let itt = InterEventTimes(try TemporalView(column, name: "t"), sequences: Sequences(subjects: keys, rowCount: 4))
        #expect(itt.start == [nil, nil, 100 * day, 100 * day])
        #expect(itt.delta == [0, 0, 0, day])
    }

    @Test func startDatesAndLongGapsAreProtected() throws {
        // 40 regular subjects; one subject starts in 1900 and waits 300 weeks between events.
        var (column, subjects) = sequences(subjects: 40, seed: 3, withMissing: false)
        guard case .timestamp(let c) = column, case .keys(let k) = subjects else { return }
        let old = Int64(TemporalFormat.daysFromCivil(year: 1900, month: 6, day: 1)) * TemporalFormat.microsPerDay
        column = .timestamp(c.values.array.map { Optional($0) } + [old, old + 300 * InterEventTimes.microsPerWeek])
        subjects = .keys(Buffer(k.array + [999, 999]))
        let stats = try DatetimeRelativePartial(column: column, subjects: subjects, name: "t").finalize(FinalizeContext(seed: 4, column: "t"))
        #expect(stats.start.partMin[0] >= 2020)
        #expect(stats.maxWeek <= 3)
    }

    @Test func emptyAndAllMissing() throws {
        for column in [Column.timestamp([]), .timestamp([nil, nil, nil])] {
            let subjects = SubjectIDs.keys(Buffer((0..<column.count).map { Int64($0 / 2) }))
            let stats = try DatetimeRelativePartial(column: column, subjects: subjects, name: "t").finalize(FinalizeContext(seed: 1, column: "t"))
            var random = SeededRandom(seed: 1)
            let back = try stats.decode(try stats.encode(column, subjects: subjects, name: "t", random: &random), subjects: subjects, name: "t")
            #expect(back.count == column.count && back.nullCount == column.count)
        }
    }
}
