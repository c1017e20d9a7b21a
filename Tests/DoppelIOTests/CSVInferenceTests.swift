#if canImport(Glibc)
import Glibc
#endif
import Testing
import DoppelTestSupport
@testable import DoppelIO

@Suite struct CSVTypeInference {
    @Test func integersAndTheirLimits() throws {
        let table = try CSVFixture.read("a,b,c\n9223372036854775807,007,+5\n-9223372036854775808,-0,12\n")
        #expect(table.values("a") == [.int64(.max), .int64(.min)])
        #expect(table.values("b") == [.int64(7), .int64(0)])
        #expect(table.values("c") == [.int64(5), .int64(12)])
        // One past Int64 is a float.
        let big = try CSVFixture.read("a\n9223372036854775808\n1\n")
        #expect(big.type("a") == .float64)
        #expect(big.values("a") == [.float64(9223372036854775808.0), .float64(1)])
    }

    @Test func floatsInEveryNotation() throws {
        let table = try CSVFixture.read("x\n.5\n-1.25e3\n+2E-2\n3.\n1e400\n-0.0\n")
        #expect(table.type("x") == .float64)
        let values = table.values("x")
        #expect(values[0] == .float64(0.5))
        #expect(values[1] == .float64(-1250))
        #expect(values[2] == .float64(0.02))
        #expect(values[3] == .float64(3))
        #expect(values[4] == .float64(.infinity))
        if case .float64(let z) = values[5] { #expect(z == 0 && z.sign == .minus) } else { Issue.record("expected -0.0") }
    }

    @Test func floatParsingMatchesStrtod() throws {
        var rng = SplitMix(seed: 42)
        var texts: [String] = []
        for i in 0..<4000 {
            let mantissa = rng.next() >> (UInt64(i % 40) + 1)
            let exponent = Int(rng.next() % 80) - 40
            let digits = String(mantissa)
            let cut = digits.count / 2
            let text = i % 3 == 0 ? "\(digits)e\(exponent)" : "\(digits.prefix(cut)).\(digits.dropFirst(cut))e\(exponent)"
            texts.append(i % 5 == 0 ? "-" + text : text)
        }
        texts += ["0.1", "0.3", "123456789012345678901234567890", "2.2250738585072011e-308", "4.9e-324", "1.7976931348623157e308", "9007199254740993", "0.000001", "1e23", "8.41e21"]
        let table = try CSVFixture.read("x\n" + texts.joined(separator: "\n") + "\n")
        let values = table.values("x")
        for (text, value) in zip(texts, values) {
            let expected = text.withCString { strtod($0, nil) }
            #expect(value == .float64(expected), "\(text)")
        }
    }

    @Test func infAndNanTextAreNotNumbers() throws {
        let table = try CSVFixture.read("x,y\n1.5,1\ninf,NaN\n")
        #expect(table.type("x") == .string)
        #expect(table.values("y") == [.int64(1), nil])
    }

    @Test func booleansInAnyCase() throws {
        let table = try CSVFixture.read("b\nTrue\nFALSE\ntrue\nfAlSe\n\n")
        // One column: the blank line is a missing value.
        #expect(table.values("b") == [.bool(true), .bool(false), .bool(true), .bool(false), nil])
        #expect(try CSVFixture.read("b\ntrue\n1\n").type("b") == .string)
    }

    @Test func datesAreValidated() throws {
        let table = try CSVFixture.read("d\n1970-01-01\n2000-02-29\n1969-12-31\n")
        #expect(table.values("d") == [.date(0), .date(11016), .date(-1)])
        #expect(try CSVFixture.read("d\n2001-02-29\n").type("d") == .string)
        #expect(try CSVFixture.read("d\n2001-13-01\n").type("d") == .string)
    }

    @Test func timestampsWithTimeZonesAndFractions() throws {
        let table = try CSVFixture.read("""
        t
        2024-03-01T12:00:00Z
        2024-03-01T12:00:00+01:00
        2024-03-01 12:00:00-0530
        2024-03-01T12:00
        2024-03-01 12:00:00.5
        2024-03-01T12:00:00.123456789Z
        2024-03-01t12:00:00z

        """)
        #expect(table.type("t") == .timestamp)
        let noon: Int64 = 1_709_294_400_000_000
        let hour: Int64 = 3_600_000_000
        #expect(table.values("t") == [
            .timestamp(noon), .timestamp(noon - hour), .timestamp(noon + 5 * hour + hour / 2), .timestamp(noon),
            .timestamp(noon + 500_000), .timestamp(noon + 123_456), .timestamp(noon),
        ])
        #expect(try CSVFixture.read("t\n2024-03-01T25:00\n").type("t") == .string)
        #expect(try CSVFixture.read("t\n2024-03-01T12:00:00.\n").type("t") == .string)
        #expect(try CSVFixture.read("t\n2024-03-01T12:00+1\n").type("t") == .string)
    }

    @Test func mixedColumnsWiden() throws {
        let table = try CSVFixture.read("a,b,c,d,e\n1,2024-01-01,1,x,1\n2.5,2024-01-01T06:00,true,1,2\n3,,2,2,3.0\n")
        #expect(table.type("a") == .float64)
        #expect(table.values("a") == [.float64(1), .float64(2.5), .float64(3)])
        #expect(table.type("b") == .timestamp)
        #expect(table.values("b") == [.timestamp(1_704_067_200_000_000), .timestamp(1_704_088_800_000_000), nil])
        #expect(table.type("c") == .string)
        #expect(table.values("c") == [.string("1"), .string("true"), .string("2")])
        #expect(table.type("d") == .string)
        #expect(table.values("d") == [.string("x"), .string("1"), .string("2")])
        #expect(table.values("e") == [.float64(1), .float64(2), .float64(3)])
    }

    @Test func forcedTypes() throws {
        let table = try CSVFixture.read("zip,when,flag,n\n00501,2024-01-01,true,1\n10001,2024-01-02,false,2\n") {
            $0.columnTypes = ["zip": .string, "when": .timestamp, "n": .float64]
        }
        #expect(table.values("zip") == [.string("00501"), .string("10001")])
        #expect(table.values("when") == [.timestamp(1_704_067_200_000_000), .timestamp(1_704_153_600_000_000)])
        #expect(table.values("n") == [.float64(1), .float64(2)])
        #expect(table.type("flag") == .bool)
    }

    @Test func forcedTypeThatDoesNotParseIsAnError() throws {
        let error = CSVFixture.error("a,b\n1,2\n3,x\n") { $0.columnTypes = ["b": .int64] }
        #expect(error?.line == 3)
        #expect(error?.column == "b")
        #expect(error?.message == "cannot read 'x' as int64")
        let unknown = CSVFixture.error("a\n1\n") { $0.columnTypes = ["zz": .int64] }
        #expect(unknown?.column == "zz")
    }
}

typealias SplitMix = TestRandom

@Suite struct CSVDateArithmetic {
    @Test func dayNumbersMatchTheCalendar() {
        // Every 7th day of 1600...2400 and every day around the century leap rules, through the
        // parser, against TemporalFormat's day numbers.
        var text = [UInt8]()
        var dayNumbers = Array(stride(from: TemporalFormat.daysFromCivil(year: 1600, month: 1, day: 1), through: TemporalFormat.daysFromCivil(year: 2400, month: 12, day: 31), by: 7))
        for year in [1899, 1900, 1999, 2000, 2099, 2100] {
            dayNumbers += TemporalFormat.daysFromCivil(year: year, month: 1, day: 1)...TemporalFormat.daysFromCivil(year: year, month: 12, day: 31)
        }
        for days in dayNumbers {
            text.removeAll(keepingCapacity: true)
            TemporalFormat.appendDate(days: days, to: &text)
            let parsed = text.withUnsafeBufferPointer { CSVValueParsers.parseDate($0) }
            if parsed != Int32(days) {
                Issue.record("\(String(decoding: text, as: UTF8.self)) parsed as \(String(describing: parsed)), expected \(days)")
                return
            }
        }
        for invalid in ["2023-02-29", "2100-02-29", "2024-04-31", "2024-00-10", "2024-01-00", "0000-13-01"] {
            #expect(Array(invalid.utf8).withUnsafeBufferPointer { CSVValueParsers.parseDate($0) } == nil, "\(invalid)")
        }
        #expect(Array("2000-02-29".utf8).withUnsafeBufferPointer { CSVValueParsers.parseDate($0) } == 11_016)
        #expect(Array("0000-03-01".utf8).withUnsafeBufferPointer { CSVValueParsers.parseDate($0) } == Int32(TemporalFormat.daysFromCivil(year: 0, month: 3, day: 1)))
    }
}
