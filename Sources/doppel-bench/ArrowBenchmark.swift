#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Doppel

/// Times ``ArrowIPC/write(_:to:metadata:)`` and ``ArrowIPC/read(path:)`` on a generated table of
/// four columns (int64, float64, dictionary string with 1,000 values, timestamp).
///
/// The read is memory-mapped and zero-copy, so the benchmark also times the first full scan of
/// every value, which is when the pages are actually read.
enum ArrowBenchmark {
    static func run(_ arguments: [String]) throws {
        let rows = Int(BenchCommandLine.value("rows", in: arguments) ?? "") ?? 10_000_000
        let rounds = Int(BenchCommandLine.value("rounds", in: arguments) ?? "") ?? 3
        let directory = BenchCommandLine.value("dir", in: arguments) ?? "bench-data"
        mkdir(directory, 0o755)
        let path = "\(directory)/arrow-\(rows).arrow"
        let table = try makeTable(rows: rows)
        print("table: \(rows) rows x 4 columns (int64, float64, dictionary string, timestamp); file: \(path)")
        for round in 1...max(1, rounds) {
            var start = BenchCommandLine.now(), cpu = cpuSeconds()
            try ArrowIPC.write(table, to: path)
            let write = BenchCommandLine.now() - start, writeCPU = cpuSeconds() - cpu
            var info = stat()
            stat(path, &info)
            let bytes = Int(info.st_size)

            start = BenchCommandLine.now(); cpu = cpuSeconds()
            let read = try ArrowIPC.read(path: path)
            let open = BenchCommandLine.now() - start, openCPU = cpuSeconds() - cpu
            start = BenchCommandLine.now(); cpu = cpuSeconds()
            let checksum = scan(read)
            let firstScan = BenchCommandLine.now() - start, scanCPU = cpuSeconds() - cpu

            let f = { (seconds: Double) in BenchCommandLine.format(seconds, decimals: 4) }
            print("round \(round): write \(f(write)) s wall / \(f(writeCPU)) s CPU (\(BenchCommandLine.format(Double(bytes) / 1e6 / write, decimals: 0)) MB/s, incl. fsync), "
                + "read \(f(open)) s wall / \(f(openCPU)) s CPU (mapped, zero copy), "
                + "first scan of all values \(f(firstScan)) s wall / \(f(scanCPU)) s CPU, "
                + "file \(BenchCommandLine.megabytes(bytes)) [checksum \(checksum & 0xFFFF)]")
        }
        print("peak RSS \(BenchCommandLine.megabytes(BenchCommandLine.peakRSSBytes()))")
    }

    /// CPU time of this process (user + system), which shared machines distort less than wall time.
    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Deterministic columns from a linear congruential generator.
    static func makeTable(rows n: Int) throws -> Table {
        var ints = BufferBuilder<Int64>(capacity: n)
        var floats = BufferBuilder<Double>(capacity: n)
        var codes = BufferBuilder<Int32>(capacity: n)
        var stamps = BufferBuilder<Int64>(capacity: n)
        var state: UInt64 = 42
        for i in 0..<n {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            ints.append(Int64(bitPattern: state >> 1))
            floats.append(Double(state >> 11) / Double(1 << 53))
            codes.append(Int32(truncatingIfNeeded: (state >> 33) % 1000))
            stamps.append(1_600_000_000_000_000 + Int64(i) * 1_000_003)
        }
        let dictionary = StringArray((0..<1000).map { "category-\($0)" })
        return try Table([
            ("id", .int64(PrimitiveColumn(values: ints.finish()))),
            ("value", .float64(PrimitiveColumn(values: floats.finish()))),
            ("category", .string(StringColumn(storage: .dictionary(codes: codes.finish(), dictionary: dictionary)))),
            ("at", .timestamp(PrimitiveColumn(values: stamps.finish()))),
        ])
    }

    /// Reads every value once (so that every mapped page is touched).
    static func scan(_ table: Table) -> Int64 {
        var sum: Int64 = 0
        for column in table.columns {
            switch column {
            case .int64(let c), .timestamp(let c): c.values.withUnsafeBufferPointer { for v in $0 { sum &+= v } }
            case .float64(let c): c.values.withUnsafeBufferPointer { for v in $0 { sum &+= Int64(v * 1000) } }
            case .string(let c):
                if case .dictionary(let codes, _) = c.storage { codes.withUnsafeBufferPointer { for v in $0 { sum &+= Int64(v) } } }
            default: break
            }
        }
        return sum
    }
}
