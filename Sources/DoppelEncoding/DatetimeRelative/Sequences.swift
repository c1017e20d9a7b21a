import DoppelTable

/// The sequences of a column: runs of consecutive rows with the same subject (rows of a subject
/// are contiguous, as split writes them). Row-level subjects make one-row sequences.
struct Sequences {
    /// Start row of each sequence, plus the row count at the end.
    let starts: [Int]

    init(subjects: SubjectIDs, rowCount: Int) {
        var starts: [Int] = []
        var previous: Int64? = nil
        for row in 0..<rowCount {
            let id = subjects.id(row)
            if id != previous { starts.append(row); previous = id }
        }
        starts.append(rowCount)
        self.starts = starts
    }

    var count: Int { starts.count - 1 }
    func rows(_ i: Int) -> Range<Int> { starts[i]..<starts[i + 1] }
}

/// Inter-event times of one column: per row the sequence's start and the signed time since the
/// previous event (0 on the first row).
///
/// Missing timestamps are filled from the previous event of the same sequence, else from the
/// next one of the same sequence (the reference's un-grouped backward fill could pull a date
/// from the next subject); a sequence without any timestamp has no start.
struct InterEventTimes {
    static let microsPerWeek: Int64 = 7 * TemporalFormat.microsPerDay

    var start: [Int64?]
    var delta: [Int64]
    var missing: [Bool]

    init(_ view: TemporalView, sequences: Sequences) {
        let n = view.micros.count
        start = [Int64?](repeating: nil, count: n)
        delta = [Int64](repeating: 0, count: n)
        missing = view.present.map { !$0 }
        for s in 0..<sequences.count {
            let rows = sequences.rows(s)
            guard let first = rows.first(where: { view.present[$0] }) else { continue }
            var last = view.micros[first]
            let begin = last
            for row in rows {
                let v = view.present[row] ? view.micros[row] : last
                delta[row] = row == rows.lowerBound ? 0 : v &- last
                last = v
                start[row] = begin
            }
        }
    }

    /// ITT parts of a delta: weeks, days, hours, minutes, seconds of its magnitude (sub-second
    /// time is dropped).
    static func parts(_ delta: Int64) -> [Int] {
        let seconds = delta.magnitude / UInt64(TemporalFormat.microsPerSecond)
        let week = seconds / 604_800, rest = seconds % 604_800
        return [Int(min(week, UInt64(Int32.max))), Int(rest / 86_400), Int(rest % 86_400 / 3600), Int(rest % 3600 / 60), Int(rest % 60)]
    }

    static let partNames = ["itt_week", "itt_day", "itt_hour", "itt_minute", "itt_second"]
}
