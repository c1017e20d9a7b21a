import Foundation
import Testing
@testable import DoppelIO
import DoppelTestSupport
import DoppelFiles

@Suite struct ArrowErrorTests {
    /// Writes `bytes` to a fresh temporary file.
    static func file(_ bytes: [UInt8]) throws -> String {
        let path = try ArrowTestTables.temporaryPath("broken.arrow")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func validFile() throws -> [UInt8] {
        let path = try ArrowTestTables.temporaryPath()
        try ArrowIPC.write(try ArrowTestTables.allTypes(), to: path, metadata: ["k": "v"])
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func missingFileNamesThePath() throws {
        let path = try ArrowTestTables.temporaryPath("absent.arrow")
        let error = try #require(throws: DataFileError.self) { try ArrowIPC.read(path: path) }
        #expect(error.file == path)
    }

    @Test func otherFilesAreRejectedByTheirMagic() throws {
        for bytes in [[], Array("id,name\n1,x\n".utf8), [UInt8](repeating: 0, count: 100)] {
            let path = try ArrowErrorTests.file(bytes)
            let error = try #require(throws: DataFileError.self) { try ArrowIPC.read(path: path) }
            #expect(error.message.contains("ARROW1"))
            #expect(throws: DataFileError.self) { try ArrowIPC.readMetadata(path: path) }
        }
    }

    @Test func everyTruncationThrows() throws {
        let bytes = try ArrowErrorTests.validFile()
        let path = try ArrowTestTables.scratchPath("truncated.arrow")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for length in stride(from: 0, to: bytes.count, by: 11) {
            try Data(bytes[0..<length]).write(to: URL(fileURLWithPath: path))
            #expect(throws: DataFileError.self, "length \(length)") { try ArrowIPC.read(path: path) }
        }
    }

    @Test func absurdFooterLengthThrows() throws {
        var bytes = try ArrowErrorTests.validFile()
        let at = bytes.count - 10
        for value: UInt32 in [0, 0x7FFF_FFFF, 0xFFFF_FFF0, UInt32(bytes.count)] {
            for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
            let path = try ArrowErrorTests.file(bytes)
            let error = try #require(throws: DataFileError.self) { try ArrowIPC.read(path: path) }
            #expect(error.location == "footer")
        }
    }

    /// Random byte flips, overwritten words and truncations of a small valid file (fixed seed):
    /// each read must either throw a ``DataFileError`` or return a table whose every value can
    /// be read; it must never crash.
    @Test func corruptedFilesNeverCrash() throws {
        let failures = try ArrowErrorTests.fuzz(try ArrowErrorTests.validFile(), iterations: 1_500, seed: 20_261_121)
        #expect(failures > 400)
    }

    /// The same for pyarrow's file with every type we read, plain and compressed (LZ4 frames and
    /// Zstandard), which also exercises the type conversions and the decompressors.
    @Test(.enabled(if: TestSupport.pythonHas("pyarrow"), "needs a Python with pyarrow (DOPPEL_PYTHON)"), arguments: ["none", "lz4", "zstd"])
    func corruptedPyarrowFilesNeverCrash(codec: String) throws {
        let python = try #require(TestSupport.python)
        let path = try ArrowTestTables.temporaryPath("\(codec).arrow")
        let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/interop/arrow_write.py").path
        let (status, output) = try TestSupport.run(python, [script, path, path + ".json"] + (codec == "none" ? [] : [codec]))
        try #require(status == 0, "\(output)")
        let failures = try ArrowErrorTests.fuzz([UInt8](Data(contentsOf: URL(fileURLWithPath: path))), iterations: 300, seed: 7)
        #expect(failures > 60)
    }

    /// Reads `iterations` corrupted variants of `original`; returns how many threw.
    static func fuzz(_ original: [UInt8], iterations: Int, seed: UInt64) throws -> Int {
        var random = ArrowFuzzRandom(seed: seed)
        var failures = 0, successes = 0
        let path = try ArrowTestTables.scratchPath("fuzz.arrow")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for _ in 0..<iterations {
            var bytes = original
            switch random.next() % 4 {
            case 0:
                bytes.removeLast(Int(random.next() % UInt64(bytes.count)))
            case 1:
                for _ in 0..<(1 + random.next() % 4) {
                    bytes[Int(random.next() % UInt64(bytes.count))] ^= UInt8(1 << (random.next() % 8))
                }
            case 2:
                let at = Int(random.next() % UInt64(bytes.count - 4)) & ~3
                let value = [0, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, random.next()][Int(random.next() % 5)]
                for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            default:
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let table = try ArrowIPC.read(path: path)
                for column in table.columns {
                    for row in 0..<table.rowCount { _ = column.value(at: row) }
                }
                _ = try? ArrowIPC.readMetadata(path: path)
                successes += 1
            } catch is DataFileError {
                failures += 1
            }
        }
        #expect(failures + successes == iterations)
        return failures
    }

    @Test(.enabled(if: TestSupport.pythonHas("pyarrow"), "needs a Python with pyarrow (DOPPEL_PYTHON)"),
          arguments: [("list", "list"), ("struct", "struct"), ("float16", "float16"), ("uint64_overflow", "uint64")])
    func unsupportedContentNamesColumnAndType(kind: String, phrase: String) throws {
        let python = try #require(TestSupport.python)
        let path = try ArrowTestTables.temporaryPath("\(kind).arrow")
        let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/interop/arrow_write.py").path
        let (status, output) = try TestSupport.run(python, [script, "--unsupported", kind, path])
        try #require(status == 0, "\(output)")
        let error = try #require(throws: DataFileError.self) { try ArrowIPC.read(path: path) }
        #expect(error.file == path)
        #expect(error.description.contains(phrase), "\(error)")
        #expect(error.column == "bad", "\(error)")
    }
}

typealias ArrowFuzzRandom = TestRandom
