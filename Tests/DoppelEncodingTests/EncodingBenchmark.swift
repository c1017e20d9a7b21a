import DoppelParallel
import DoppelTable
import Foundation
import Testing
@testable import DoppelEncoding

/// Release-mode measurements (not run by default; they print figures):
/// `DOPPEL_BENCH=1 swift test -c release --filter EncodingBenchmark`
///
/// Each figure is the best of 5 runs, as wall-clock time and as the thread's own CPU time
/// (`CLOCK_THREAD_CPUTIME_ID`, which excludes time the thread waited for a core on a busy host).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["DOPPEL_BENCH"] != nil))
struct EncodingBenchmark {
    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    func time(_ label: String, _ body: () -> Void) {
        var wall = Double.infinity, cpu = Double.infinity
        for _ in 0..<5 {
            let w0 = DispatchTime.now().uptimeNanoseconds, c0 = Self.cpuSeconds()
            body()
            cpu = min(cpu, Self.cpuSeconds() - c0)
            wall = min(wall, Double(DispatchTime.now().uptimeNanoseconds - w0) / 1e9)
        }
        print("\(label): wall \(String(format: "%.4f", wall)) s, thread CPU \(String(format: "%.4f", cpu)) s (best of 5, one core)")
    }

    func values(_ kind: Int, _ n: Int) -> [Double] {
        var random = SeededRandom(seed: 1)
        switch kind {
        case 0: return (0..<n).map { _ in (random.nextDouble() * 1e7).rounded() / 100 }
        case 1: return (0..<n).map { _ in random.nextDouble() * 1000 }
        default: return (0..<n).map { _ in Double(Float(random.nextDouble() * 100)) }
        }
    }

    @Test func digitSplitOfOneMillionFloats() {
        let n = 1_000_000
        for (kind, label) in ["prices with 2 decimals", "uniform doubles in [0, 1000)", "float32 values widened"].enumerated() {
            let v = values(kind, n)
            var digits = [UInt8](repeating: 0, count: n * DigitSplit.positions)
            var outOfRange = 0
            time("digit split, \(label), 1M values") {
                outOfRange = 0
                digits.withUnsafeMutableBufferPointer { out in
                    v.withUnsafeBufferPointer { src in
                        for i in 0..<src.count where !DigitSplit.split(src[i], into: out.baseAddress! + i * DigitSplit.positions) { outOfRange += 1 }
                    }
                }
            }
            #expect(outOfRange == 0)
            for i in stride(from: 0, to: n, by: 9973) { #expect(Array(digits[i * 27..<(i + 1) * 27]) == DigitSplit.digits(v[i])) }
        }
    }

    @Test func analyzeAndEncodeOneMillionFloats() throws {
        let column = Column.float64(values(0, 1_000_000))
        var partial: NumericPartial?
        time("analyze numeric (AUTO), 1M floats, row-level subjects") {
            partial = try? NumericPartial(column: column, subjects: .rows(first: 0), declared: .numericAuto, name: "x")
        }
        #expect(partial != nil)
        let digitPartial = try NumericPartial(column: column, subjects: .rows(first: 0), declared: .numericDigit, name: "x")
        guard case .digit(let stats) = try digitPartial.finalize(FinalizeContext(seed: 1, column: "x")) else { Issue.record("expected digit stats"); return }
        var codes: EncodedColumn?
        time("encode digit, 1M floats (\(stats.subColumns.count) sub-columns)") {
            var random = SeededRandom(seed: 1)
            codes = try? stats.encode(column, name: "x", random: &random)
        }
        #expect(codes?.rowCount == 1_000_000)
        time("decode digit, 1M rows") { _ = try? stats.decode(codes!, name: "x") }
    }

    @Test func binnedOnOneMillionFloats() throws {
        var random = SeededRandom(seed: 2)
        let coordinates = (0..<1_000_000).map { _ in ((48.1 + 0.2 * random.nextDouble()) * 1e5).rounded() / 1e5 }
        for (label, v) in [("prices with 2 decimals", values(0, 1_000_000)), ("uniform doubles in [0, 1000)", values(1, 1_000_000)),
                           ("coordinates with 5 decimals", coordinates)] {
            let column = Column.float64(v)
            var partial: NumericPartial?
            time("analyze numeric (BINNED), 1M \(label)") {
                partial = try? NumericPartial(column: column, subjects: .rows(first: 0), declared: .numericBinned, name: "x")
            }
            var final: NumericStats?
            time("finalize BINNED, \(label)") { final = try? partial!.finalize(FinalizeContext(seed: 1, column: "x")) }
            guard case .binned(let stats)? = final else { Issue.record("expected binned stats"); return }
            print("  level \(partial!.histogram.level), \(partial!.histogram.bins.keys.count) grid bins, \(stats.binCount) bins, \(stats.points.count) points, \(stats.subBinCount) sub-bins")
            var codes: EncodedColumn?
            time("encode BINNED, 1M \(label)") { codes = try? stats.encode(column, name: "x") }
            time("decode BINNED, 1M rows") {
                var random = SeededRandom(seed: 1)
                _ = try? stats.decode(codes!, name: "x", random: &random)
            }
        }
    }

    @Test func analyzeOtherTypesOnOneMillionRows() throws {
        var random = SeededRandom(seed: 3)
        let n = 1_000_000
        let categories = (0..<1000).map { "category-\($0)" }
        let strings = Column.dictionaryString((0..<n).map { _ in categories[random.uniform(below: 1000)] })
        let keys = SubjectIDs.keys(Buffer((0..<n).map { Int64($0 / 4) }))
        time("analyze categorical, 1M rows, 1000 categories, row-level subjects") {
            _ = try? CategoricalPartial(column: strings, subjects: .rows(first: 0), name: "c")
        }
        time("analyze categorical, 1M rows, 1000 categories, 250k subjects") {
            _ = try? CategoricalPartial(column: strings, subjects: keys, name: "c")
        }
        let stamps = Column.timestamp((0..<n).map { _ in Int64(random.uniform(below: 1 << 50)) })
        time("analyze datetime, 1M timestamps, row-level subjects") {
            _ = try? DatetimePartial(column: stamps, subjects: .rows(first: 0), name: "t")
        }
    }
}
