// Timing, random data and formatting helpers for doppel-nn-bench.
#if canImport(Glibc)
import Glibc
#endif
import DoppelParallel

/// Best CPU time of this thread in seconds over `repeats` runs of `body`, after one warm-up run.
/// CPU time rather than wall time: the build machine is shared, and with single-threaded BLAS all
/// the work runs on this thread.
func bestTime(repeats: Int, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = threadCPUSeconds()
        body()
        best = min(best, threadCPUSeconds() - start)
    }
    return best
}

func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func random(_ count: Int, seed: UInt64) -> [Float] {
    var rng = SeededRandom(seed: seed)
    return (0..<count).map { _ in rng.nextFloat() * 2 - 1 }
}

func pad(_ value: Int, _ width: Int) -> String {
    let s = String(value)
    return String(repeating: " ", count: max(0, width - s.count)) + s
}

func getEnvironment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}
