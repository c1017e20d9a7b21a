#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Doppel

/// Times ``ParquetReader/read(path:options:)`` on existing Parquet files and
/// ``ParquetWriter/write(_:to:options:)`` of the table read, per codec. The files come from
/// `scripts/bench-parquet.sh` (pyarrow writes them and is timed in the same run).
enum ParquetBenchmark {
    static func run(_ arguments: [String]) throws {
        let files = (BenchCommandLine.value("files", in: arguments) ?? "").split(separator: ",").map(String.init)
        guard !files.isEmpty else {
            print("usage: doppel-bench parquet --files a.parquet,b.parquet [--threads N] [--repeat N] [--write-dir DIR] [--write-codecs snappy,zstd]")
            return
        }
        let threads = Int(BenchCommandLine.value("threads", in: arguments) ?? "") ?? 0
        let repeats = max(1, Int(BenchCommandLine.value("repeat", in: arguments) ?? "") ?? 1)
        let writeDirectory = BenchCommandLine.value("write-dir", in: arguments)
        let codecs = (BenchCommandLine.value("write-codecs", in: arguments) ?? "snappy,zstd").split(separator: ",").compactMap { ParquetCompression(rawValue: String($0)) }
        var options = ParquetReadOptions()
        options.threads = threads
        if let columns = BenchCommandLine.value("columns", in: arguments) { options.columns = columns.split(separator: ",").map(String.init) }
        var table: Table?
        for path in files {
            var best = Double.infinity
            for _ in 0..<repeats {
                let start = BenchCommandLine.now()
                table = try ParquetReader.read(path: path, options: options)
                best = min(best, BenchCommandLine.now() - start)
            }
            let size = fileSize(path)
            print("doppel read  \(path): \(table!.rowCount) rows x \(table!.columnCount) columns, \(BenchCommandLine.megabytes(size)) in \(BenchCommandLine.format(best, decimals: 3)) s = \(BenchCommandLine.format(Double(size) / 1e6 / best, decimals: 1)) MB/s")
        }
        guard let writeDirectory, let table else { return }
        for codec in codecs {
            var writeOptions = ParquetWriteOptions()
            writeOptions.compression = codec
            let path = "\(writeDirectory)/doppel-\(codec.rawValue).parquet"
            var best = Double.infinity
            for _ in 0..<repeats {
                let start = BenchCommandLine.now()
                try ParquetWriter.write(table, to: path, options: writeOptions)
                best = min(best, BenchCommandLine.now() - start)
            }
            let size = fileSize(path)
            print("doppel write \(codec.rawValue): \(BenchCommandLine.megabytes(size)) in \(BenchCommandLine.format(best, decimals: 3)) s")
        }
        print("peak RSS \(BenchCommandLine.megabytes(BenchCommandLine.peakRSSBytes()))")
    }

    private static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}
