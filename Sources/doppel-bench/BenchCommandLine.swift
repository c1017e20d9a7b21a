#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal command line for the benchmarks: a subcommand name, then `--name value` options.
enum BenchCommandLine {
    static func dispatch(_ arguments: [String], benchmarks: [(name: String, summary: String, run: ([String]) throws -> Void)]) {
        guard arguments.count >= 2, let benchmark = benchmarks.first(where: { $0.name == arguments[1] }) else {
            print("usage: doppel-bench <benchmark> [options]\n\nbenchmarks:")
            for b in benchmarks { print("  \(b.name)  \(b.summary)") }
            exit(arguments.count >= 2 && arguments[1] != "--help" ? 2 : 0)
        }
        do {
            try benchmark.run(Array(arguments.dropFirst(2)))
        } catch {
            print("doppel-bench \(benchmark.name): \(error)")
            exit(1)
        }
    }

    /// The value after `--name`, if present.
    static func value(_ name: String, in arguments: [String]) -> String? {
        guard let i = arguments.firstIndex(of: "--\(name)"), i + 1 < arguments.count else { return nil }
        return arguments[i + 1]
    }

    static func flag(_ name: String, in arguments: [String]) -> Bool { arguments.contains("--\(name)") }

    /// Peak resident set size of this process in bytes (`ru_maxrss` is in KiB on Linux).
    static func peakRSSBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }

    /// Monotonic clock in seconds.
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// CPU time of this process (all threads) in seconds.
    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func megabytes(_ bytes: Int) -> String { format(Double(bytes) / 1e6, decimals: 1) + " MB" }

    /// `value` with a fixed number of decimals (no Foundation needed).
    static func format(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = scaled / Int(scale), fraction = abs(scaled % Int(scale))
        guard decimals > 0 else { return String(whole) }
        let digits = String(fraction)
        return "\(scaled < 0 && whole == 0 ? "-" : "")\(whole).\(String(repeating: "0", count: decimals - digits.count))\(digits)"
    }
}
