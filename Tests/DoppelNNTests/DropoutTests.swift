import DoppelParallel
import Testing
@testable import DoppelNN

/// ``Dropout``: the mask stream is the same however it is drawn (one call, or element by element
/// through the per-draw path), and it drops about `p` of the elements.
@Suite struct DropoutTests {
    @Test(arguments: [Float(0.25), 0.1, 0.5])
    func masksAreTheSameInOneCallOrOneByOne(probability: Float) {
        var whole = Dropout(probability: probability, random: SeededRandom(seed: 7))
        var single = Dropout(probability: probability, random: SeededRandom(seed: 7))
        var a = [Float](repeating: -1, count: 1003), b = a
        a.withUnsafeMutableBufferPointer { whole.fillMask($0.baseAddress!, count: 3); whole.fillMask($0.baseAddress! + 3, count: 1000) }
        b.withUnsafeMutableBufferPointer { p in for i in 0..<1003 { single.fillMask(p.baseAddress! + i, count: 1) } }
        #expect(a == b)
        let scale = 1 / (1 - probability)
        #expect(a.allSatisfy { $0 == 0 || $0 == scale })
        let dropped = Double(a.filter { $0 == 0 }.count) / Double(a.count)
        #expect(abs(dropped - Double(probability)) < 0.05)
    }
}
