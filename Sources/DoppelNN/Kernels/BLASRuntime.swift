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
///   not recognise newer CPU models and falls back to older kernels: Haswell (AVX2, ~1.6× slower
///   at MLP shapes) or, on virtual CPUs that hide their model, Prescott (SSE3, ~5× slower). Never set it on a CPU without `avx512f`: it would execute illegal instructions.
/// The CLI wrapper and the scripts set both; ``recommendedEnvironment()`` returns them, and
/// ``restartWithRecommendedEnvironment(arguments:)`` lets a command-line tool set them itself.
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

    /// Marks a process that ``restartWithRecommendedEnvironment(arguments:)`` started, so that it
    /// never restarts twice.
    static let restartMarker = "DOPPEL_BLAS_ENVIRONMENT"

    /// The settings of ``recommendedEnvironment()`` that `environment` lacks (a setting the user
    /// gave, e.g. another `OPENBLAS_CORETYPE`, is kept), or none after a restart.
    public static func missingSettings(in environment: [String: String],
                                       recommended: [String: String] = recommendedEnvironment()) -> [String: String] {
        guard environment[restartMarker] == nil else { return [:] }
        return recommended.filter { environment[$0.key] == nil }
    }

    /// Replaces the running program by itself (`/proc/self/exe`, same arguments) with the
    /// recommended BLAS settings added to its environment, when some are missing: OpenBLAS reads
    /// them only at load time, and on this kind of CPU its default kernels are ~5× slower
    /// (docs/nn.md). Call it first thing in `main`; returns (doing nothing) where the settings are
    /// there already, after a restart, or where the program cannot be executed again.
    public static func restartWithRecommendedEnvironment(arguments: [String]) {
        #if os(Linux)
        var environment: [String: String] = [:]
        for (key, value) in ProcessEnvironment.current { environment[key] = value }
        let missing = missingSettings(in: environment)
        guard !missing.isEmpty else { return }
        for (key, value) in missing { setenv(key, value, 1) }
        setenv(restartMarker, "1", 1)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &argv)
        // Not reached unless execv failed: go on with the library's defaults.
        for pointer in argv { free(pointer) }
        #endif
    }

    /// One line for logs and benchmark output, e.g. `OpenBLAS core SkylakeX, 1 thread(s)`.
    public static var summary: String { "OpenBLAS core \(coreName), \(threadCount) thread(s)" }

    /// The process environment as key–value pairs (read from `environ`).
    enum ProcessEnvironment {
        static var current: [(String, String)] {
            var pairs: [(String, String)] = []
            #if canImport(Glibc)
            var pointer = environ
            while let entry = pointer.pointee {
                let text = String(cString: entry)
                if let equals = text.firstIndex(of: "=") { pairs.append((String(text[..<equals]), String(text[text.index(after: equals)...]))) }
                pointer += 1
            }
            #endif
            return pairs
        }
    }

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
