import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Run-time facts and settings of the BLAS library (OpenBLAS).
///
/// Doppel spreads its own work over the cores, so BLAS must run single-threaded: otherwise its
/// workers fight ours, and idle OpenBLAS threads keep spinning for ~100 ms after each call. Two
/// settings must be in the ENVIRONMENT BEFORE THE PROCESS STARTS, because OpenBLAS reads them in
/// a library constructor (a `setenv` in `main` is too late):
/// - `OPENBLAS_NUM_THREADS=1`: no worker thread is created at all (``useSingleThread()`` only
///   stops using them; the one created at load time still spins for a while);
/// - `OPENBLAS_CORETYPE=SkylakeX` on CPUs with AVX-512 (``cpuHasAVX512F()``): OpenBLAS 0.3.21 does
///   not recognise newer CPU models and falls back to its Haswell (AVX2) kernels, ~1.6× slower at
///   MLP shapes. Never set it on a CPU without `avx512f`: it would execute illegal instructions.
/// The CLI wrapper and the scripts set both; ``recommendedEnvironment()`` returns them.
public enum BLASRuntime {
    /// The kernel family OpenBLAS selected, e.g. `"Haswell"` or `"SkylakeX"`.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build configuration string (version, threading model, …).
    public static var configuration: String {
        guard let config = openblas_get_config() else { return "unknown" }
        return String(cString: config)
    }

    /// Number of threads OpenBLAS currently uses per call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Makes every following BLAS call single-threaded (`openblas_set_num_threads(1)`).
    public static func useSingleThread() { setThreadCount(1) }

    /// Sets the number of OpenBLAS threads per call.
    public static func setThreadCount(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }

    /// Whether `cpuinfoText` (the contents of `/proc/cpuinfo`) lists the `avx512f` flag.
    public static func cpuinfoListsAVX512F(_ cpuinfoText: String) -> Bool {
        for line in cpuinfoText.split(separator: "\n") where line.hasPrefix("flags") {
            if line.split(separator: " ").contains("avx512f") { return true }
        }
        return false
    }

    /// Whether this CPU supports AVX-512 Foundation, read from `/proc/cpuinfo`; `false` where
    /// the file cannot be read (non-Linux systems).
    public static func cpuHasAVX512F(cpuinfoPath: String = "/proc/cpuinfo") -> Bool {
        guard let text = readTextFile(cpuinfoPath) else { return false }
        return cpuinfoListsAVX512F(text)
    }

    /// The environment a Doppel process should be started with: single-threaded OpenBLAS and,
    /// where the CPU has AVX-512, the SkylakeX kernels.
    public static func recommendedEnvironment(cpuHasAVX512F: Bool = BLASRuntime.cpuHasAVX512F()) -> [String: String] {
        var environment = ["OPENBLAS_NUM_THREADS": "1"]
        if cpuHasAVX512F { environment["OPENBLAS_CORETYPE"] = "SkylakeX" }
        return environment
    }

    /// One line for logs and benchmark output, e.g. `OpenBLAS core SkylakeX, 1 thread(s)`.
    public static var summary: String { "OpenBLAS core \(coreName), \(threadCount) thread(s)" }

    private static func readTextFile(_ path: String) -> String? {
        #if canImport(Glibc)
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
        #else
        return nil
        #endif
    }
}
