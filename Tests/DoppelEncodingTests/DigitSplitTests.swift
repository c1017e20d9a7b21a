import DoppelParallel
import Testing
@testable import DoppelEncoding

@Suite struct DigitSplitTests {
    /// Digits at positions `from` down to `to`, as a string.
    func digits(_ x: Double, from: Int, to: Int) -> String? {
        guard let d = DigitSplit.digits(x) else { return nil }
        return (to...from).reversed().map { String(d[DigitSplit.index(ofPosition: $0)]) }.joined()
    }

    /// Reference vectors (mostlyai-engine unit tests).
    @Test func referenceVectors() {
        #expect(digits(21047147.89, from: 7, to: -6) == "21047147890000")
        #expect(digits(-910635.287793, from: 7, to: -6) == "00910635287793")
        #expect(digits(0.00999999977648, from: 0, to: -8) == "000999999")
    }

    /// Values where float arithmetic (floor(x / 10^p) % 10) gets digits wrong.
    @Test func shortestDecimalNotBinaryExpansion() {
        #expect(digits(0.3, from: 0, to: -8) == "030000000")
        #expect(digits(71.46, from: 2, to: -8) == "07146000000")
        #expect(digits(4.1, from: 0, to: -3) == "4100")
        #expect(digits(123456789.12, from: 8, to: -2) == "12345678912")
        #expect(digits(9_999_999_999_999_998, from: 18, to: 0) == "0009999999999999998")
    }

    @Test func rangeLimitsAreExplicit() {
        #expect(DigitSplit.digits(1e19) == nil)
        #expect(DigitSplit.digits(1e20) == nil)
        #expect(DigitSplit.digits(.infinity) == nil)
        #expect(DigitSplit.digits(.nan) == nil)
        #expect(digits(9.999e18, from: 18, to: 15) == "9999")
        // Denormals and values below 1e-8 have no digits in range.
        #expect(DigitSplit.digits(Double.leastNonzeroMagnitude) == [UInt8](repeating: 0, count: 27))
        #expect(DigitSplit.digits(9.9e-9) == [UInt8](repeating: 0, count: 27))
        #expect(digits(1e-8, from: -7, to: -8) == "01")
    }

    @Test func int64SplitIsExactAtTheExtremes() {
        let d = DigitSplit.digits(Int64.min)
        #expect(d.map(String.init).joined() == "9223372036854775808" + "00000000")
        let e = DigitSplit.digits(Int64.max - 1)
        #expect(e.map(String.init).joined() == "9223372036854775806" + "00000000")
    }

    /// The fast path agrees with the shortest round-trip text on random values of many kinds.
    @Test func fastPathMatchesDescription() {
        var random = SeededRandom(seed: 7)
        var out = [UInt8](repeating: 0, count: 27), slow = [UInt8](repeating: 0, count: 27)
        for i in 0..<20_000 {
            let x: Double
            switch i % 5 {
            case 0: x = (random.nextDouble() * 1e6).rounded() / 100
            case 1: x = Double(Float(random.nextDouble() * 10))
            case 2: x = random.nextDouble() * pow10(Int(random.uniform(below: 30)) - 10)
            case 3: x = Double(random.uniform(below: 1_000_000)) * 1e-8
            default: x = Double(bitPattern: random.next() >> 2)
            }
            let a = out.withUnsafeMutableBufferPointer { DigitSplit.split(x, into: $0.baseAddress!) }
            let b = slow.withUnsafeMutableBufferPointer { DigitSplit.splitFromDescription(x.magnitude, into: $0.baseAddress!) }
            #expect(a == b && out == slow, "\(x)")
            if out != slow { break }
        }
    }

    func pow10(_ p: Int) -> Double { var v = 1.0; for _ in 0..<abs(p) { v *= 10 }; return p < 0 ? 1 / v : v }
}
