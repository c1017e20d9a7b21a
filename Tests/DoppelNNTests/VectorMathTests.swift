import Foundation
import Testing
@testable import DoppelNN

@Suite struct VectorMathTests {
    @Test func vectorExpMatchesLibm() {
        var worst: Double = 0
        var x: Float = -87
        while x < 88 {
            let exact = Foundation.exp(Double(x))
            let lanes = VectorMath.exp(SIMD8<Float>(repeating: x) + SIMD8(0, 0.001, 0.01, 0.1, 0.2, 0.3, 0.4, 0.5))
            for (k, offset) in [0, 0.001, 0.01, 0.1, 0.2, 0.3, 0.4, 0.5].enumerated() {
                let reference = Foundation.exp(Double(x + Float(offset)))
                worst = max(worst, abs(Double(lanes[k]) - reference) / reference)
            }
            worst = max(worst, abs(Double(VectorMath.exp(x)) - exact) / exact)
            x += 0.37
        }
        #expect(worst < 5e-7)
        #expect(VectorMath.exp(Float(0)) == 1)
        // Clamped extremes stay finite and non-negative.
        #expect(VectorMath.exp(Float(-1000)) >= 0 && VectorMath.exp(Float(-1000)) < 1e-37)
        #expect(VectorMath.exp(Float(1000)).isFinite)
    }

    @Test func rowHelpersHandleTailsAndShortRows() {
        for count in [1, 7, 8, 9, 17] {
            let z = (0..<count).map { Float($0 % 5) - 2.5 }
            z.withUnsafeBufferPointer { zp in
                #expect(VectorMath.maximum(zp.baseAddress!, count: count) == z.max())
                var p = [Float](repeating: 0, count: count)
                let sum = p.withUnsafeMutableBufferPointer { VectorMath.shiftedExp(zp.baseAddress!, count: count, shift: 1, into: $0.baseAddress!) }
                let expected = z.reduce(0.0) { $0 + Foundation.exp(Double($1) - 1) }
                #expect(abs(Double(sum) - expected) / expected < 1e-6)
                #expect(abs(Double(p[count - 1]) - Foundation.exp(Double(z[count - 1]) - 1)) < 1e-6)
            }
        }
    }
}

@Suite struct VectorKernelTests {
    @Test(arguments: [0, 3, 8, 13, 24])
    func elementWiseOpsMatchScalarLoops(count: Int) {
        let a = (0..<count).map { Float($0) * 0.25 - 1 }
        let b = (0..<count).map { Float(($0 * 7) % 5) - 2 }
        var product = [Float](repeating: .nan, count: count)
        var sum = a, scaled = a
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                guard let x = ap.baseAddress, let y = bp.baseAddress else { return }
                product.withUnsafeMutableBufferPointer { VectorMath.product(x, y, into: $0.baseAddress!, count: count) }
                sum.withUnsafeMutableBufferPointer { VectorMath.add($0.baseAddress!, y, count: count) }
                scaled.withUnsafeMutableBufferPointer { VectorMath.multiply($0.baseAddress!, by: y, count: count) }
            }
        }
        #expect(product == zip(a, b).map { $0 * $1 })
        #expect(scaled == product)
        #expect(sum == zip(a, b).map { $0 + $1 })
    }

    @Test func sigmoidAndTanhMatchLibm() {
        let x = (0..<203).map { Float($0) * 0.2 - 20.3 }
        var s = x, t = x
        s.withUnsafeMutableBufferPointer { VectorMath.sigmoid($0.baseAddress!, count: $0.count) }
        t.withUnsafeMutableBufferPointer { VectorMath.tanh($0.baseAddress!, count: $0.count) }
        for (k, v) in x.enumerated() {
            #expect(abs(Double(s[k]) - 1 / (1 + Foundation.exp(-Double(v)))) < 1e-6)
            #expect(abs(Double(t[k]) - Foundation.tanh(Double(v))) < 1e-6)
        }
        var extremes: [Float] = [-1000, 1000, 0]
        extremes.withUnsafeMutableBufferPointer { VectorMath.tanh($0.baseAddress!, count: 3) }
        #expect(extremes == [-1, 1, 0])
    }
}
