import DoppelTable

/// The padded, columnar layout of one partition's sequences (reference engine, encode §4.2):
/// subjects in context-file order, each with its first `min(L, maxLength)` target rows in file
/// order followed by one all-zero end-of-sequence row. Built with one stable counting sort
/// (``SubjectGrouping``) and one pass: no per-subject lookup or copy.
struct SequenceLayout {
    /// Target rows that are kept, subject by subject (source row numbers).
    let keptRows: [Int]
    /// Subject (context row) of each kept row.
    let subjectOfKept: Buffer<Int64>
    /// First padded row of each subject; subject `s` has rows `start[s] ..< start[s + 1]`
    /// (the last entry is the total).
    let start: [Int]

    var paddedRowCount: Int { start.last ?? 0 }
    var subjectCount: Int { start.count - 1 }

    init(subjectOfRow: [Int32], subjects: Int, maxLength: Int) {
        let grouping = subjectOfRow.withUnsafeBufferPointer { SubjectGrouping(group: $0, groups: subjects) }
        var start = [Int](repeating: 0, count: subjects + 1)
        for s in 0..<subjects { start[s + 1] = start[s] + min(grouping.length(s), maxLength) + 1 }
        let total = start[subjects]
        let keptCount = total - subjects
        var kept = [Int](repeating: 0, count: keptCount)
        var subjectOfKept = BufferBuilder<Int64>(capacity: keptCount)
        var k = 0
        for s in 0..<subjects {
            let first = grouping.starts[s]
            let n = start[s + 1] - start[s] - 1
            for i in 0..<n {
                kept[k] = grouping.order[first + i]
                subjectOfKept.append(Int64(s))
                k += 1
            }
        }
        keptRows = kept
        self.subjectOfKept = subjectOfKept.finish()
        self.start = start
    }

    /// Codes placed at their padded rows, in the width for `cardinality` (``CodeWidth``); pad
    /// rows are 0. `codes` are per kept row (`fromKeptRows`) or per source row in file order
    /// (rows beyond the maximum length are dropped). Written in padded order (sequential
    /// writes, gathered reads).
    func scatter(_ codes: Buffer<Int32>, fromKeptRows: Bool, cardinality: Int) -> Column {
        CodeWidth.forCardinality(cardinality).column(count: paddedRowCount, ScatteredCodes(layout: self, codes: codes, fromKeptRows: fromKeptRows, cardinality: cardinality))
    }
}

/// Fills the padded rows of one sub-column from its codes (see ``SequenceLayout/scatter``).
private struct ScatteredCodes: CodeFiller {
    let layout: SequenceLayout
    let codes: Buffer<Int32>
    let fromKeptRows: Bool
    let cardinality: Int

    func fill<T: FixedWidthInteger>(_ out: UnsafeMutableBufferPointer<T>) {
        codes.withUnsafeBufferPointer { source in
            layout.keptRows.withUnsafeBufferPointer { kept in
                layout.start.withUnsafeBufferPointer { start in
                    var k = 0
                    for s in 0..<layout.subjectCount {
                        let first = start[s], pad = start[s + 1] - 1
                        for p in first..<pad {
                            out[p] = CodeWidth.checked(Int(source[fromKeptRows ? k : kept[k]]), cardinality: cardinality)
                            k += 1
                        }
                        out[pad] = 0
                    }
                }
            }
        }
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

        func code(_ value: Int) -> Int {
            divisor == 0 ? value : (value / divisor) % 10
        }
    }

    /// The positional quantities of padded rows: index within the sequence (0…L, the pad row
    /// is L), true length L, and rows remaining (L…0, the pad row has 0).
    enum Quantity: String, CaseIterable {
        case sidx, slen, ridx
    }

    /// Adds the `tgt:/__{quantity}_{suffix}` sub-columns of every quantity, computed subject by
    /// subject from the layout (no per-row intermediate arrays), each in the width for its
    /// cardinality.
    func add(_ layout: SequenceLayout, to builder: inout EncodedTableBuilder) {
        for quantity in Quantity.allCases {
            for shape in specs {
                let filler = PositionalCodes(layout: layout, quantity: quantity, shape: shape, maxLength: maxLength)
                let codes = CodeWidth.forCardinality(shape.cardinality).column(count: layout.paddedRowCount, filler)
                builder.add(name: "tgt:/__\(quantity.rawValue)_\(shape.suffix)", cardinality: shape.cardinality, codes: codes)
            }
        }
    }
}

/// Fills the codes of one positional sub-column, subject by subject.
private struct PositionalCodes: CodeFiller {
    let layout: SequenceLayout
    let quantity: PositionalEncoding.Quantity
    let shape: PositionalEncoding.SubColumnSpecShape
    let maxLength: Int

    func fill<T: FixedWidthInteger>(_ out: UnsafeMutableBufferPointer<T>) {
        for s in 0..<layout.subjectCount {
            let first = layout.start[s], n = layout.start[s + 1] - first - 1
            for i in 0...n {
                let value: Int
                switch quantity {
                case .sidx: value = i
                case .slen: value = n
                case .ridx: value = n - i
                }
                // In range by construction: a length is capped at `maxLength`, a digit is < 10.
                out[first + i] = T(truncatingIfNeeded: shape.code(min(value, maxLength)))
            }
        }
    }
}
