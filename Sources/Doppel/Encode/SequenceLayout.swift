import DoppelTable

/// The padded, columnar layout of one partition's sequences (reference engine, encode §4.2):
/// subjects in context-file order, each with its first `min(L, maxLength)` target rows in file
/// order followed by one all-zero end-of-sequence row. Built with one stable counting sort
/// (``SubjectGrouping``) and one pass: no per-subject lookup or copy.
struct SequenceLayout {
    /// Target rows that are kept, subject by subject (source row numbers).
    let keptRows: [Int]
    /// Padded row of each kept row.
    let paddedRowOfKept: [Int]
    /// Padded row of each source row (-1 for rows beyond the maximum length).
    let paddedRowOfRow: [Int]
    /// Subject (context row) of each kept row.
    let subjectOfKept: Buffer<Int64>
    /// First padded row of each subject; subject `s` has rows `start[s] ..< start[s + 1]`
    /// (the last entry is the total).
    let start: [Int]
    /// Positional values per padded row: index within the sequence (0…L, the pad row is L),
    /// true length L, and rows remaining (L…0, the pad row has 0).
    let index: [Int64], length: [Int64], remaining: [Int64]

    var paddedRowCount: Int { start.last ?? 0 }
    var subjectCount: Int { start.count - 1 }

    init(subjectOfRow: [Int32], subjects: Int, maxLength: Int) {
        let grouping = subjectOfRow.withUnsafeBufferPointer { SubjectGrouping(group: $0, groups: subjects) }
        var start = [Int](repeating: 0, count: subjects + 1)
        for s in 0..<subjects { start[s + 1] = start[s] + min(grouping.length(s), maxLength) + 1 }
        let total = start[subjects]
        let keptCount = total - subjects
        var kept = [Int](repeating: 0, count: keptCount)
        var padded = [Int](repeating: 0, count: keptCount)
        var paddedOfRow = [Int](repeating: -1, count: subjectOfRow.count)
        var subjectOfKept = BufferBuilder<Int64>(capacity: keptCount)
        var index = [Int64](repeating: 0, count: total)
        var length = [Int64](repeating: 0, count: total)
        var remaining = [Int64](repeating: 0, count: total)
        var k = 0
        for s in 0..<subjects {
            let first = grouping.starts[s]
            let n = start[s + 1] - start[s] - 1
            for i in 0...n {
                let row = start[s] + i
                index[row] = Int64(i)
                length[row] = Int64(n)
                remaining[row] = Int64(n - i)
                if i < n {
                    kept[k] = grouping.order[first + i]
                    padded[k] = row
                    paddedOfRow[kept[k]] = row
                    subjectOfKept.append(Int64(s))
                    k += 1
                }
            }
        }
        keptRows = kept
        paddedRowOfKept = padded
        paddedRowOfRow = paddedOfRow
        self.subjectOfKept = subjectOfKept.finish()
        self.start = start
        self.index = index
        self.length = length
        self.remaining = remaining
    }

    /// Codes placed at their padded rows; pad rows are 0. `codes` are per kept row
    /// (`fromKeptRows`) or per source row in file order (rows beyond the maximum length dropped).
    func scatter(_ codes: Buffer<Int32>, fromKeptRows: Bool) -> Buffer<Int64> {
        var builder = BufferBuilder<Int64>(capacity: paddedRowCount)
        builder.appendUninitialized(count: paddedRowCount) { out in
            out.initialize(repeating: 0)
            codes.withUnsafeBufferPointer { source in
                if fromKeptRows {
                    paddedRowOfKept.withUnsafeBufferPointer { rows in
                        for k in 0..<source.count { out[rows[k]] = Int64(source[k]) }
                    }
                } else {
                    paddedRowOfRow.withUnsafeBufferPointer { rows in
                        for r in 0..<source.count where rows[r] >= 0 { out[rows[r]] = Int64(source[r]) }
                    }
                }
            }
        }
        return builder.finish()
    }
}

/// Encoding of the positional values (0…maxLength) of sequential targets (reference engine):
/// one `cat` sub-column of cardinality `maxLength + 1` below 100, else base-10 digits
/// `E{n-1}…E0` with the leading digit's cardinality capped at its value in `maxLength` + 1.
struct PositionalEncoding {
    let maxLength: Int

    var specs: [SubColumnSpecShape] {
        if maxLength < 100 { return [.init(suffix: "cat", cardinality: maxLength + 1, divisor: 0)] }
        let digits = String(maxLength).count
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        var out: [SubColumnSpecShape] = []
        for e in stride(from: digits - 1, through: 0, by: -1) {
            let card = e == digits - 1 ? maxLength / divisor + 1 : 10
            out.append(.init(suffix: "E\(e)", cardinality: card, divisor: divisor))
            divisor /= 10
        }
        return out
    }

    struct SubColumnSpecShape {
        let suffix: String
        let cardinality: Int
        /// 0: the value itself; else the digit `(v / divisor) % 10`.
        let divisor: Int

        func code(_ value: Int64) -> Int64 {
            divisor == 0 ? value : (value / Int64(divisor)) % 10
        }
    }

    /// Adds `tgt:/__{name}_{suffix}` sub-columns for one positional quantity.
    func add(_ values: [Int64], name: String, to builder: inout EncodedTableBuilder) {
        for shape in specs {
            var codes = BufferBuilder<Int64>(capacity: values.count)
            codes.appendUninitialized(count: values.count) { out in
                for i in 0..<values.count { out[i] = shape.code(min(values[i], Int64(maxLength))) }
            }
            builder.add(name: "tgt:/__\(name)_\(shape.suffix)", cardinality: shape.cardinality, codes: codes.finish())
        }
    }
}
