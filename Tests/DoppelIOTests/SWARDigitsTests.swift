import Foundation
import Testing
@testable import DoppelIO

@Suite struct SWARDigitsTests {
    /// Against a digit-by-digit reading, for every run length and for the bytes just outside
    /// the digits (below '0', above '9', high bytes whose addition carries into the next lane).
    @Test func agreesWithDigitByDigitReading() {
        var rng = SplitMix(seed: 8)
        let stoppers: [UInt8] = [0, 0x2C, 0x2E, 0x2F, 0x3A, 0x41, 0x7F, 0x80, 0x8A, 0xC3, 0xFF]
        for _ in 0..<20_000 {
            var bytes = (0..<8).map { _ in UInt8(48 + rng.next() % 10) }
            let run = Int(rng.next() % 9)
            if run < 8 {
                bytes[run] = stoppers[Int(rng.next() % UInt64(stoppers.count))]
                for k in (run + 1)..<8 where rng.next() % 2 == 0 { bytes[k] = UInt8(truncatingIfNeeded: rng.next()) }
            }
            var expectedCount = 0, expectedValue: UInt64 = 0
            while expectedCount < 8, bytes[expectedCount] &- 48 < 10 {
                expectedValue = expectedValue * 10 + UInt64(bytes[expectedCount] - 48)
                expectedCount += 1
            }
            let (count, value) = bytes.withUnsafeBytes { SWARDigits.leading($0.baseAddress!) }
            #expect(count == expectedCount && value == expectedValue, "\(bytes)")
        }
    }

    @Test func readsKnownNumbers() {
        func read(_ text: String) -> (Int, UInt64) {
            let bytes = Array((text + "        ").utf8.prefix(8))
            return bytes.withUnsafeBytes { SWARDigits.leading($0.baseAddress!) }
        }
        #expect(read("12345678") == (8, 12_345_678))
        #expect(read("0,") == (1, 0))
        #expect(read("8484.68") == (4, 8484))
        #expect(read("007") == (3, 7))
        #expect(read(",5") == (0, 0))
        #expect(read("9999999x") == (7, 9_999_999))
    }
}

@Suite struct FixedWidthTimestampTests {
    /// The 19-byte reader agrees with the general timestamp parser on valid and broken text.
    @Test func agreesWithTheGeneralParser() {
        var rng = SplitMix(seed: 19)
        let noise: [UInt8] = Array("0123456789-: Tt,xZ.".utf8) + [0xC3]
        var checked = 0, valid = 0
        for round in 0..<30_000 {
            var text = Array(String(format: "%04d-%02d-%02d%@%02d:%02d:%02d",
                                    Int(rng.next() % 10_000), Int(rng.next() % 14), Int(rng.next() % 33),
                                    ["T", " ", "t"][Int(rng.next() % 3)],
                                    Int(rng.next() % 26), Int(rng.next() % 62), Int(rng.next() % 62)).utf8)
            if round % 3 == 0 {
                let at = Int(rng.next() % 19)
                text[at] = noise[Int(rng.next() % UInt64(noise.count))]
            }
            guard text.count == 19 else { continue }
            let general = text.withUnsafeBufferPointer { CSVValueParsers.parseTimestamp($0, acceptDate: false) }
            let fixed = text.withUnsafeBufferPointer { CSVValueParsers.parseTimestamp19($0.baseAddress!) }
            #expect(fixed == general, "\(String(decoding: text, as: UTF8.self))")
            checked += 1
            if general != nil { valid += 1 }
        }
        #expect(checked > 29_000 && valid > 1_000)
    }
}
