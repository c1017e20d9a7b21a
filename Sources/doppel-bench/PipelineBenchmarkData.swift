#if canImport(Glibc)
import Glibc
#endif
import Doppel
import DoppelParallel
import Foundation

/// Synthetic workspaces for the analyze and encode benchmarks, written directly as split would
/// leave them (partition files and metadata), so that the measured step starts from disk.
enum PipelineBenchmarkData {
    /// A deterministic 64-bit value for (row, column) (SplitMix64 finalizer).
    @inline(__always)
    static func mix(_ row: Int, _ column: Int) -> UInt64 {
        var z = UInt64(truncatingIfNeeded: row) &* 0x9e37_79b9_7f4a_7c15 &+ UInt64(column) &* 0xd1b5_4a32_d192_ed03
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Numeric column `c` for global rows `rows`: five kinds in turn (small integers, uniform
    /// floats, prices with two decimals, ages, bell-shaped floats).
    static func numericColumn(_ c: Int, rows: Range<Int>) -> Column {
        switch c % 5 {
        case 0, 3:
            var b = BufferBuilder<Int64>(capacity: rows.count)
            b.appendUninitialized(count: rows.count) { out in
                for (k, r) in rows.enumerated() {
                    let h = mix(r, c)
                    out[k] = c % 5 == 0 ? Int64(h % 20) : 18 + Int64(h % 72)
                }
            }
            return .int64(PrimitiveColumn(values: b.finish()))
        default:
            var b = BufferBuilder<Double>(capacity: rows.count)
            b.appendUninitialized(count: rows.count) { out in
                for (k, r) in rows.enumerated() {
                    let h = mix(r, c)
                    switch c % 5 {
                    case 1: out[k] = Double(h >> 11) * 0x1.0p-53 * 1000
                    case 2: out[k] = Double(h % 100_000) / 100
                    default: out[k] = (Double(h >> 40) + Double((h >> 16) & 0xFF_FFFF)) * 0x1.0p-24 * 50
                    }
                }
            }
            return .float64(PrimitiveColumn(values: b.finish()))
        }
    }

    static func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(value).write(to: url)
    }

    /// Files of a workspace folder (recursively) in bytes.
    static func directoryBytes(_ url: URL) -> Int {
        guard let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey]) else { return 0 }
        var total = 0
        for case let file as URL in e { total += (try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0 }
        return total
    }

    /// Peak RSS of the largest finished child process (worker processes), in bytes.
    static func childrenPeakRSSBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }

    /// CPU seconds (user + system) of this process and of its finished children.
    static func cpuSeconds() -> (own: Double, children: Double) {
        func seconds(_ who: Int32) -> Double {
            var u = rusage()
            getrusage(who, &u)
            return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
        }
        return (seconds(RUSAGE_SELF.rawValue), seconds(RUSAGE_CHILDREN.rawValue))
    }

    static func executor(_ arguments: [String]) throws -> ExecutorConfiguration {
        try ExecutorConfiguration(backend: BenchCommandLine.value("backend", in: arguments),
                                  jobs: BenchCommandLine.value("jobs", in: arguments) ?? "2")
    }
}
