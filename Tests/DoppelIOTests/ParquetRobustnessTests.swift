import Foundation
import Testing
import DoppelTestSupport
@testable import DoppelIO
import DoppelFiles

/// Damaged files must give a clear ``DataFileError`` (or, when the damage hits only values, a
/// table), never a crash or a hang.
@Suite(.timeLimit(.minutes(2))) struct ParquetRobustnessTests {
    static let fuzzed = ["types_snappy", "types_v2", "encodings_delta", "encodings_bss", "dictionary_fallback", "types_gzip", "duckdb_zstd", "required"]

    /// Reads `bytes` from a temporary file; returns the error, if any. Any error other than a
    /// `DataFileError` fails the test.
    static func outcome(_ bytes: [UInt8], in dir: URL, label: String) throws -> DataFileError? {
        let path = dir.appendingPathComponent("damaged.parquet").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ParquetReader.read(path: path)
            return nil
        } catch let error as DataFileError {
            return error
        } catch {
            Issue.record("\(label): unexpected error type \(type(of: error)): \(error)")
            return nil
        }
    }

    @Test(arguments: fuzzed)
    func randomByteFlipsNeverCrash(_ name: String) throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ParquetFixtures.path(name + ".parquet"))))
        let dir = try TestSupport.temporaryDirectory("parquet-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = ParquetTestRandom(seed: 0xF00D ^ UInt64(name.utf8.count))
        var errors = 0
        for iteration in 0..<(Int(ProcessInfo.processInfo.environment["DOPPEL_FUZZ_ITERATIONS"] ?? "") ?? 80) {
            var bytes = original
            let flips = 1 + Int(rng.next() % 4)
            for _ in 0..<flips {
                // Half of the damage lands in the footer, where the structure is.
                let tail = max(1, bytes.count / 8)
                let position = iteration % 2 == 0 ? bytes.count - 1 - Int(rng.next() % UInt64(tail)) : Int(rng.next() % UInt64(bytes.count))
                bytes[position] ^= UInt8(truncatingIfNeeded: 1 + rng.next() % 255)
            }
            if try Self.outcome(bytes, in: dir, label: "\(name) #\(iteration)") != nil { errors += 1 }
        }
        // Most damage is detected; the rest only changed values.
        #expect(errors > 0)
    }

    @Test(arguments: fuzzed)
    func truncatedFilesAreReported(_ name: String) throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ParquetFixtures.path(name + ".parquet"))))
        let dir = try TestSupport.temporaryDirectory("parquet-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = ParquetTestRandom(seed: 77)
        for _ in 0..<20 {
            let length = Int(rng.next() % UInt64(original.count))
            let error = try Self.outcome(Array(original[0..<length]), in: dir, label: "\(name) cut at \(length)")
            #expect(error != nil, "\(name) cut at \(length) was read without error")
        }
    }

    @Test func wrongMagicIsReported() throws {
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ParquetFixtures.path("types_snappy.parquet"))))
        bytes[bytes.count - 1] = UInt8(ascii: "X")
        let dir = try TestSupport.temporaryDirectory("parquet-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = try Self.outcome(bytes, in: dir, label: "magic")
        #expect(error?.message.contains("PAR1") == true)
    }

    @Test func absurdFooterLengthIsReported() throws {
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ParquetFixtures.path("types_snappy.parquet"))))
        let n = bytes.count
        bytes[n - 8] = 0xFF; bytes[n - 7] = 0xFF; bytes[n - 6] = 0xFF; bytes[n - 5] = 0x7F
        let dir = try TestSupport.temporaryDirectory("parquet-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = try Self.outcome(bytes, in: dir, label: "footer length")
        #expect(error?.location == "footer")
    }

    @Test func damagedPageNamesRowGroupColumnAndPage() throws {
        // Overwrite the middle of the first column chunk's data with garbage.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ParquetFixtures.path("types_uncompressed.parquet"))))
        for i in 8..<40 { bytes[i] = 0xEE }
        let dir = try TestSupport.temporaryDirectory("parquet-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = try #require(try Self.outcome(bytes, in: dir, label: "page"))
        #expect(error.column == "i8")
        #expect(error.location?.hasPrefix("row group 0") == true)
        #expect(error.description.contains("damaged.parquet"))
    }

    @Test func notAFileIsReported() throws {
        #expect(throws: DataFileError.self) { try ParquetReader.read(path: "/nonexistent/file.parquet") }
        let dir = try TestSupport.temporaryDirectory("parquet-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Self.outcome([], in: dir, label: "empty") != nil)
        #expect(try Self.outcome(Array("PAR1PAR1".utf8), in: dir, label: "tiny") != nil)
    }
}
