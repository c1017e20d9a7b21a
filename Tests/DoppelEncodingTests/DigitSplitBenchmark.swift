import DoppelParallel
import Foundation
import Testing
@testable import DoppelEncoding

/// Release-mode measurement of the digit split (not run by default; prints figures):
/// `DOPPEL_BENCH=1 swift test -c release --filter DigitSplitBenchmark`
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DOPPEL_BENCH"] != nil))
struct DigitSplitBenchmark {
    func measure(_ label: String, _ values: [Double]) {
        var digits = [UInt8](repeating: 0, count: values.count * DigitSplit.positions)
        var best = Double.infinity
        var outOfRange = 0
        for _ in 0..<5 {
            outOfRange = 0
            let start = DispatchTime.now().uptimeNanoseconds
            digits.withUnsafeMutableBufferPointer { out in
                values.withUnsafeBufferPointer { v in
                    for i in 0..<v.count where !DigitSplit.split(v[i], into: out.baseAddress! + i * DigitSplit.positions) { outOfRange += 1 }
                }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        print("digit split \(label): \(values.count) values in \(String(format: "%.4f", best)) s (best of 5, one core)")
        #expect(outOfRange == 0)
        // Spot check against the shortest round-trip text.
        for i in stride(from: 0, to: values.count, by: 9973) {
            #expect(Array(digits[i * 27..<(i + 1) * 27]) == DigitSplit.digits(values[i]))
        }
    }

    @Test func oneMillionFloats() {
        var random = SeededRandom(seed: 1)
        let n = 1_000_000
        measure("prices with 2 decimals", (0..<n).map { _ in (random.nextDouble() * 1e7).rounded() / 100 })
        measure("uniform doubles in [0, 1000)", (0..<n).map { _ in random.nextDouble() * 1000 })
        measure("float32 values widened", (0..<n).map { _ in Double(Float(random.nextDouble() * 100)) })
    }
}
