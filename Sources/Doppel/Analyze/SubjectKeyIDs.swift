import DoppelTable

/// Turns a key column (a subject's identifier) into one `Int64` id per row.
///
/// Integer keys are their own ids (zero-copy). Text keys hash their UTF-8 bytes with 64-bit
/// FNV-1a followed by the SplitMix64 finalizer (Steele et al. 2014), once per dictionary entry
/// when the column is dictionary-encoded. Two tables whose keys differ in type (integers in one,
/// the same digits as text in the other, which split accepts) are compared with `asText: true`,
/// which hashes the decimal digits of integer keys so that both sides agree.
enum SubjectKeyIDs {
    static func ids(of column: Column, name: String, file: String, asText: Bool = false) throws -> Buffer<Int64> {
        guard column.nullCount == 0 else {
            throw PipelineError.workspace("\(file): key column '\(name)' has \(column.nullCount) missing value(s)")
        }
        switch column {
        case .int64(let c) where !asText:
            return c.values
        case .int64(let c):
            return mapped(c.count) { hashDecimal(c.values[$0]) }
        case .string(let c):
            switch c.storage {
            case .plain(let array):
                return mapped(c.count) { hash(array.utf8($0)) }
            case .dictionary(let codes, let dictionary):
                let hashes = (0..<dictionary.count).map { hash(dictionary.utf8($0)) }
                return mapped(c.count) { hashes[Int(codes[$0])] }
            }
        default:
            // Rare key types (dates, floats): hash the text form; not a hot path.
            return mapped(column.count) { row in
                var text = column.value(at: row)?.description ?? ""
                return text.withUTF8 { hash($0) }
            }
        }
    }

    private static func mapped(_ count: Int, _ body: (Int) -> Int64) -> Buffer<Int64> {
        var builder = BufferBuilder<Int64>(capacity: count)
        builder.appendUninitialized(count: count) { out in
            for i in 0..<count { out[i] = body(i) }
        }
        return builder.finish()
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return Int64(bitPattern: finalize(h))
    }

    private static func hashDecimal(_ value: Int64) -> Int64 {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { raw in
            var magnitude = value.magnitude
            var end = raw.count
            repeat {
                end -= 1
                raw[end] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { end -= 1; raw[end] = UInt8(ascii: "-") }
            let bytes = UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + end, count: raw.count - end)
            return hash(bytes)
        }
    }

    @inline(__always)
    private static func finalize(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Rows grouped by subject, keeping the row order inside each subject (a stable counting sort).
///
/// `group[row]` is the subject index of each row (`0..<groups`); the result lists rows subject
/// by subject, with `starts[g]..<starts[g + 1]` the rows of subject `g`. One pass to count, one
/// to place: no per-subject lookups or copies.
struct SubjectGrouping {
    let order: [Int]
    let starts: [Int]

    init(group: UnsafeBufferPointer<Int32>, groups: Int) {
        var starts = [Int](repeating: 0, count: groups + 1)
        for g in group { starts[Int(g) + 1] += 1 }
        for g in 0..<groups { starts[g + 1] += starts[g] }
        var next = Array(starts.dropLast())
        var order = [Int](repeating: 0, count: group.count)
        for (row, g) in group.enumerated() {
            order[next[Int(g)]] = row
            next[Int(g)] += 1
        }
        self.order = order
        self.starts = starts
    }

    func length(_ subject: Int) -> Int { starts[subject + 1] - starts[subject] }

    /// Subject index per row, by first appearance of each id (for grouping one table's rows).
    static func firstAppearance(_ ids: Buffer<Int64>) -> (group: [Int32], groups: Int) {
        var index: [Int64: Int32] = [:]
        index.reserveCapacity(min(ids.count, 1 << 20))
        var group = [Int32](repeating: 0, count: ids.count)
        for row in 0..<ids.count {
            let id = ids[row]
            if let g = index[id] { group[row] = g } else {
                let g = Int32(index.count)
                index[id] = g
                group[row] = g
            }
        }
        return (group, index.count)
    }
}
