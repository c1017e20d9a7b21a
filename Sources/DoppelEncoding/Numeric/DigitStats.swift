import DoppelParallel
import DoppelTable

/// A numeric column encoded digit by digit: `nan` (when missing values were seen), `neg` (when
/// negative values remain after protection), then `E{maxDecimal}` … `E{minDecimal}`, each code
/// being the digit minus the lowest digit seen at that position.
///
/// Values are clipped to the protected bounds before the split; missing values get the digits of
/// a random present value of the same chunk (the `nan` flag carries the missingness). Without
/// bounds (fewer than 20 subjects) every value decodes to missing.
public struct DigitStats: Codable, Sendable, Equatable {
    public var sourceType: DataType
    public var valueProtection: Bool
    public var hasNull: Bool
    public var hasNegative: Bool
    public var min: Double?
    public var max: Double?
    public var maxDecimal: Int
    public var minDecimal: Int
    /// Lowest / highest digit per position, from `maxDecimal` down to `minDecimal`.
    public var minDigits: [Int]
    public var maxDigits: [Int]

    var isInteger: Bool { sourceType != .float64 && sourceType != .string }
    public var positions: [Int] { Array((minDecimal...maxDecimal).reversed()) }

    public var subColumns: [SubColumnSpec] {
        var specs: [SubColumnSpec] = []
        if hasNull { specs.append(SubColumnSpec("nan", 2)) }
        if hasNegative { specs.append(SubColumnSpec("neg", 2)) }
        for (i, p) in positions.enumerated() { specs.append(SubColumnSpec("E\(p)", maxDigits[i] - minDigits[i] + 1)) }
        return specs
    }

    public func encode(_ column: Column, name: String, random: inout SeededRandom) throws(EncodingError) -> EncodedColumn {
        let view = try NumericView.make(column, name: name).view
        let n = view.count
        let specs = subColumns
        let matrix = CodeMatrix(columns: specs.count, rowCount: n)
        let nanColumn: UnsafeMutablePointer<Int32>? = hasNull ? matrix.pointers[0] : nil
        let negColumn: UnsafeMutablePointer<Int32>? = hasNegative ? matrix.pointers[hasNull ? 1 : 0] : nil
        let firstDigit = (hasNull ? 1 : 0) + (hasNegative ? 1 : 0)
        let digitColumns = Array(matrix.pointers[firstDigit...])
        let firstIndex = DigitSplit.index(ofPosition: maxDecimal)
        let lo = min ?? -.infinity, hi = max ?? .infinity
        let present = (0..<n).filter { view.isPresent($0) }
        var scratch = [UInt8](repeating: 0, count: DigitSplit.positions)
        scratch.withUnsafeMutableBufferPointer { buffer in
            let d = buffer.baseAddress!
            for row in 0..<n {
                var source = row
                if !view.isPresent(row) {
                    nanColumn?[row] = 1
                    guard !present.isEmpty else { continue }
                    source = present[random.uniform(below: present.count)]
                }
                var negative: Bool
                switch view {
                case .integers(let c):
                    var v = c.values[source]
                    if Double(v) < lo { v = Int64(clamping: lo) } else if Double(v) > hi { v = Int64(clamping: hi) }
                    negative = v < 0
                    DigitSplit.split(v, into: d)
                case .floats(let c):
                    let v = Swift.min(Swift.max(c.values[source], lo), hi)
                    negative = v < 0
                    if !DigitSplit.split(v, into: d) { DigitSplit.zero(d) }
                }
                if negative { negColumn?[row] = 1 }
                for (i, out) in digitColumns.enumerated() {
                    let code = Int(d[firstIndex + i]) - minDigits[i]
                    out[row] = Int32(Swift.min(Swift.max(code, 0), maxDigits[i] - minDigits[i]))
                }
            }
        }
        return matrix.finish(specs: specs)
    }

    public func decode(_ codes: EncodedColumn, name: String) throws(EncodingError) -> Column {
        let specs = subColumns
        let nan = hasNull ? try codes.require("nan", column: name) : nil
        let neg = hasNegative ? try codes.require("neg", column: name) : nil
        var digitCodes: [Buffer<Int32>] = []
        for p in positions { digitCodes.append(try codes.require("E\(p)", column: name)) }
        for spec in specs {
            let column = try codes.require(spec.name, column: name)
            for i in 0..<column.count where column[i] < 0 || column[i] >= spec.cardinality {
                throw EncodingError(column: name, "code \(column[i]) of sub-column \(spec.name) at row \(i) is outside 0..<\(spec.cardinality)")
            }
        }
        let n = codes.rowCount
        let bounded = min != nil && max != nil
        let fractionDigits = -minDecimal
        if isInteger {
            var out: [Int64?] = []
            out.reserveCapacity(n)
            for row in 0..<n {
                if !bounded || nan?[row] == 1 { out.append(nil); continue }
                var magnitude: UInt64 = 0
                var overflow = false
                for (i, p) in positions.enumerated() where p >= 0 {
                    let digit = UInt64(Int(digitCodes[i][row]) + minDigits[i])
                    let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (m2, o2) = m1.addingReportingOverflow(digit)
                    overflow = overflow || o1 || o2
                    magnitude = m2
                }
                var v: Int64 = overflow || magnitude > UInt64(Int64.max) ? .max : Int64(magnitude)
                if neg?[row] == 1 { v = -v }
                v = Swift.min(Swift.max(v, Int64(clamping: min!)), Int64(clamping: max!))
                out.append(v)
            }
            return restoreSourceType(.int64(out), sourceType: sourceType, integral: true)
        }
        var out: [Double?] = []
        out.reserveCapacity(n)
        for row in 0..<n {
            if !bounded || nan?[row] == 1 { out.append(nil); continue }
            // Integer and fraction parts as exact integers, joined with one correctly rounded step
            // where possible.
            var integer: UInt64 = 0, fraction: UInt64 = 0
            for (i, p) in positions.enumerated() {
                let digit = UInt64(Int(digitCodes[i][row]) + minDigits[i])
                if p >= 0 { integer = integer &* 10 &+ digit } else { fraction = fraction &* 10 &+ digit }
            }
            var v: Double
            if fractionDigits == 0 {
                v = Double(integer)
            } else {
                let scale = DigitSplit.powersOfTen[fractionDigits]
                if Double(integer) * scale + Double(fraction) < 9.0e15 {
                    v = Double(integer * UInt64(scale) + fraction) / scale
                } else {
                    v = Double(integer) + Double(fraction) / scale
                }
            }
            if neg?[row] == 1 { v = -v }
            out.append(Swift.min(Swift.max(v, min!), max!))
        }
        return restoreSourceType(.float64(out), sourceType: sourceType, integral: minDecimal >= 0)
    }
}
