import Testing
@testable import DoppelIO
import DoppelFiles

@Suite struct CSVRandomInput {
    /// Random files over an alphabet of CSV-significant bytes must never crash the reader, and
    /// must give the same table (or the same error) with any thread count, chunk size and block
    /// size, with and without the row-major fast path.
    @Test func randomBytesNeverTrapAndAgreeAcrossThreadCounts() throws {
        let alphabet: [[UInt8]] = ["a", "1", "7", ",", ",", "\"", "\n", "\n", "\r\n", " ", "-", ".", "e", "NA", "true",
                                   "2024-01-02", "12:30", "T", "\u{E9}"].map { Array($0.utf8) } + [[0xFF], [0xC3]]
        var rng = SplitMix(seed: 2024)
        let fieldTokens: [[UInt8]] = ["1", "-2", "3.5", "1e3", "NA", "", "true", "FALSE", "2024-01-02", "2024-01-02 10:00", "x", "\u{E9}"].map { Array($0.utf8) }
        let quotedTokens: [[UInt8]] = [",", "\n", "\"\"", " "].map { Array($0.utf8) }
        for round in 0..<300 {
            var bytes = Array("a,b,c\n".utf8)
            if round % 2 == 0 {
                // Random bytes: mostly errors, never traps.
                let pieces = Int(rng.next() % 400)
                for _ in 0..<pieces { bytes += alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            } else {
                // Well-formed rows whose columns mix kinds, missing values and quoting.
                let rows = Int(rng.next() % 300)
                let columnBias = (0..<3).map { _ in Int(rng.next() % UInt64(fieldTokens.count)) }
                for _ in 0..<rows {
                    for column in 0..<3 {
                        if column > 0 { bytes += Array(",".utf8) }
                        let r = rng.next()
                        let token = r % 10 < 7 ? fieldTokens[columnBias[column]] : fieldTokens[Int(r >> 8) % fieldTokens.count]
                        if r % 9 == 0 {
                            bytes += Array("\"".utf8) + token + quotedTokens[Int(r >> 16) % quotedTokens.count] + Array("\"".utf8)
                        } else {
                            bytes += token
                        }
                    }
                    bytes += Array((rng.next() % 3 == 0 ? "\r\n" : "\n").utf8)
                }
            }
            let path = try CSVFixture.write(bytes)
            var reference: Result<[[Value?]], DataFileError>?
            for (threads, chunk, blockRows, fast) in [(1, 1 << 20, 4096, false), (3, 16, 4096, true), (2, 64, 3, true), (1, 1 << 20, 5, true)] {
                var options = CSVReadOptions()
                options.threads = threads
                options.minimumChunkBytes = chunk
                options.blockRows = blockRows
                options.fastRows = fast
                let result: Result<[[Value?]], DataFileError>
                do {
                    result = .success(try CSVReader.read(path: path, options: options).allRows)
                } catch let error as DataFileError {
                    result = .failure(error)
                }
                if let reference {
                    #expect(result == reference, "threads \(threads), chunk \(chunk), block \(blockRows), fast \(fast): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                } else {
                    reference = result
                }
            }
        }
    }
}
