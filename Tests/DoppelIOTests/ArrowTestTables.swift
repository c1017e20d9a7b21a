import Foundation
import Testing
@testable import DoppelIO
import DoppelTestSupport

/// Tables and comparisons shared by the Arrow IPC tests.
enum ArrowTestTables {
    /// Every column type, with missing values, including a plain and a dictionary string column.
    static func allTypes() throws -> Table {
        try Table([
            ("id", .int64([1, nil, -3, Int64.max, Int64.min, 0, 7])),
            ("score", .float64([1.5, -0.25, nil, .infinity, -1e300, 0, 3])),
            ("flag", .bool([true, false, nil, true, true, false, true])),
            ("name", .string(["alpha", "", nil, "ünïcødé 🙂", "b", "a longer string value", "z"])),
            ("city", .dictionaryString(["Paris", "Rome", "Paris", nil, "Oslo", "Rome", "Paris"])),
            ("at", .timestamp([0, 1_700_000_000_123_456, nil, -86_400_000_001, 1, 2, 3])),
            ("day", .date([0, 19_000, -1, nil, 2_932_896, 5, 6])),
            ("tiny", .int8([Int8.min, 0, nil, Int8.max, -1, 5, 1])),
            ("small", .int16([Int16.max, nil, Int16.min, 0, 300, -300, 2])),
            ("medium", .int32([Int32.min, Int32.max, 0, nil, 70_000, -70_000, 3])),
        ])
    }

    /// Columns where every value is missing (an all-null dictionary column has an empty dictionary).
    static func allMissing() throws -> Table {
        try Table([
            ("i", .int64([nil, nil, nil])),
            ("f", .float64([nil, nil, nil])),
            ("b", .bool([nil, nil, nil])),
            ("s", .string([nil, nil, nil])),
            ("d", .dictionaryString([nil, nil, nil])),
            ("t", .timestamp([nil, nil, nil])),
            ("day", .date([nil, nil, nil])),
            ("i8", .int8([nil, nil, nil])),
            ("i16", .int16([nil, nil, nil])),
            ("i32", .int32([nil, nil, nil])),
        ])
    }

    /// `rows` seeded random rows of every type, with missing values at every bit position of the
    /// validity bytes (each column its own period), Unicode strings of many lengths and a
    /// dictionary of 50 strings.
    static func longRandom(rows: Int = 1_000, seed: UInt64 = 42) throws -> Table {
        var random = TestRandom(seed: seed)
        func draw(_ period: Int, _ make: (UInt64) -> Void, missing: () -> Void) {
            for row in 0..<rows { if row % period == period / 2 { missing() } else { make(random.next()) } }
        }
        var ints: [Int64?] = [], floats: [Double?] = [], flags: [Bool?] = [], words: [String?] = [], cities: [String?] = []
        var stamps: [Int64?] = [], days: [Int32?] = [], tiny: [Int8?] = [], small: [Int16?] = [], medium: [Int32?] = []
        draw(7, { ints.append(Int64(bitPattern: $0)) }, missing: { ints.append(nil) })
        draw(5, { floats.append(Double(Int64(bitPattern: $0)) / 1e6) }, missing: { floats.append(nil) })
        draw(3, { flags.append($0 & 1 == 1) }, missing: { flags.append(nil) })
        let pieces = ["a", "ß", "日本", "🙂", "xyz", ""]
        draw(11, { r in words.append((0..<Int(r % 9)).map { pieces[Int((r >> (8 * UInt64($0 % 7))) % 6)] }.joined()) }, missing: { words.append(nil) })
        draw(9, { cities.append("city \($0 % 50)") }, missing: { cities.append(nil) })
        draw(13, { stamps.append(Int64(bitPattern: $0) % 10_000_000_000_000_000) }, missing: { stamps.append(nil) })
        draw(4, { days.append(Int32(Int64(bitPattern: $0) % 100_000)) }, missing: { days.append(nil) })
        draw(8, { tiny.append(Int8(truncatingIfNeeded: $0)) }, missing: { tiny.append(nil) })
        draw(6, { small.append(Int16(truncatingIfNeeded: $0)) }, missing: { small.append(nil) })
        draw(10, { medium.append(Int32(truncatingIfNeeded: $0)) }, missing: { medium.append(nil) })
        return try Table([
            ("id", .int64(ints)), ("score", .float64(floats)), ("flag", .bool(flags)), ("name", .string(words)),
            ("city", .dictionaryString(cities)), ("at", .timestamp(stamps)), ("day", .date(days)),
            ("tiny", .int8(tiny)), ("small", .int16(small)), ("medium", .int32(medium)),
        ])
    }

    /// A path for files rewritten many times (fuzzing): in memory (`/dev/shm`) where available,
    /// because rewriting a truncated file on ext4 flushes it to disk each time.
    static func scratchPath(_ name: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory), isDirectory.boolValue else {
            return try temporaryPath(name)
        }
        return "/dev/shm/doppel-arrow-\(UUID().uuidString)-\(name)"
    }

    /// A temporary file path in a fresh directory.
    static func temporaryPath(_ name: String = "table.arrow") throws -> String {
        try TestSupport.temporaryDirectory("doppel-arrow").appendingPathComponent(name).path
    }

    /// Expects equal schemas and equal values (NaN equals NaN), and equal string storage kinds.
    static func expectEqual(_ actual: Table, _ expected: Table, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.schema == expected.schema, sourceLocation: sourceLocation)
        #expect(actual.rowCount == expected.rowCount, sourceLocation: sourceLocation)
        guard actual.schema == expected.schema, actual.rowCount == expected.rowCount else { return }
        for (index, (a, e)) in zip(actual.columns, expected.columns).enumerated() {
            #expect(ArrowExpectation.isDictionary(a) == ArrowExpectation.isDictionary(e), "storage kind of column \(index)", sourceLocation: sourceLocation)
            #expect(a.nullCount == e.nullCount, "null count of column \(index)", sourceLocation: sourceLocation)
            for row in 0..<expected.rowCount {
                let x = a.value(at: row), y = e.value(at: row)
                if case .float64(let p)? = x, case .float64(let q)? = y, p.isNaN && q.isNaN { continue }
                #expect(x == y, "column \(index) row \(row)", sourceLocation: sourceLocation)
            }
        }
    }
}
