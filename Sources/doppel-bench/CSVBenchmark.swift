#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Doppel

/// Times ``CSVReader/read(path:options:)`` on a generated mixed-type file and reports throughput,
/// peak RSS and the in-memory size of the typed columns.
enum CSVBenchmark {
    static func run(_ arguments: [String]) throws {
        let threads = Int(BenchCommandLine.value("threads", in: arguments) ?? "") ?? 0
        let path = try CSVBenchmarkData.file(arguments, defaultMB: 1000)
        print("file: \(path)")
        if BenchCommandLine.flag("generate-only", in: arguments) { return }

        var info = stat()
        stat(path, &info)
        let fileBytes = Int(info.st_size)
        var options = CSVReadOptions()
        options.threads = threads
        let start = BenchCommandLine.now(), cpuStart = BenchCommandLine.cpuSeconds()
        let table = try CSVReader.read(path: path, options: options)
        let seconds = BenchCommandLine.now() - start, cpu = BenchCommandLine.cpuSeconds() - cpuStart
        let peak = BenchCommandLine.peakRSSBytes()
        let typed = table.columns.reduce(0) { $0 + memoryBytes($1) }
        let types = table.schema.fields.map { "\($0.name):\($0.type)" }.joined(separator: " ")
        print("doppel CSVReader: \(table.rowCount) rows x \(table.columnCount) columns (\(types))")
        print("  read \(BenchCommandLine.megabytes(fileBytes)) in \(BenchCommandLine.format(seconds, decimals: 3)) s = \(BenchCommandLine.format(Double(fileBytes) / 1e6 / seconds, decimals: 1)) MB/s (threads: \(threads == 0 ? "all" : String(threads)); CPU time \(BenchCommandLine.format(cpu, decimals: 3)) s)")
        print("  peak RSS \(BenchCommandLine.megabytes(peak)), typed columns \(BenchCommandLine.megabytes(typed)), ratio \(BenchCommandLine.format(Double(peak) / Double(max(typed, 1)), decimals: 2))")

        if BenchCommandLine.flag("write", in: arguments) {
            let output = path.hasSuffix(".csv") ? String(path.dropLast(4)) + ".written.csv" : path + ".written.csv"
            let writeStart = BenchCommandLine.now()
            try CSVWriter.write(table, to: output)
            let writeSeconds = BenchCommandLine.now() - writeStart
            var written = stat()
            stat(output, &written)
            print("doppel CSVWriter: wrote \(BenchCommandLine.megabytes(Int(written.st_size))) in \(BenchCommandLine.format(writeSeconds, decimals: 3)) s = \(BenchCommandLine.format(Double(written.st_size) / 1e6 / writeSeconds, decimals: 1)) MB/s")
            unlink(output)
        }
    }

    /// Bytes held by a column's buffers (values, validity, string offsets, bytes, dictionary).
    static func memoryBytes(_ column: Column) -> Int {
        let validity = column.validity?.bytes.count ?? 0
        switch column {
        case .int64(let c), .timestamp(let c): return c.values.rawBytes.count + validity
        case .float64(let c): return c.values.rawBytes.count + validity
        case .bool(let c): return c.values.rawBytes.count + validity
        case .date(let c), .int32(let c): return c.values.rawBytes.count + validity
        case .int8(let c): return c.values.rawBytes.count + validity
        case .int16(let c): return c.values.rawBytes.count + validity
        case .string(let c):
            switch c.storage {
            case .plain(let a): return a.offsets.rawBytes.count + a.bytes.count + validity
            case .dictionary(let codes, let d): return codes.rawBytes.count + d.offsets.rawBytes.count + d.bytes.count + validity
            }
        }
    }
}
