import Foundation

/// Root of every temporary directory of this test process (`$TMPDIR/doppel-tests-PID`). It is
/// created on first use and removed, with everything in it, when the process exits normally.
private let testProcessRoot: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-tests-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.removeItem(at: url)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: testProcessRoot) }
    return url
}()

/// Paths and helpers shared by the test targets.
public enum TestSupport {
    /// The repository root (found from this file's location).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/data` beside the repository (public data sets), if present.
    public static var sharedData: URL? {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Path of a file in `../shared/data`, or `nil` when the folder is missing.
    public static func sharedDataFile(_ name: String) -> String? {
        guard let url = sharedData?.appendingPathComponent(name), FileManager.default.fileExists(atPath: url.path) else { return nil }
        return url.path
    }

    /// A Python interpreter with pyarrow and pandas for interoperability tests: `$DOPPEL_PYTHON`,
    /// else `.venv/bin/python` in the repository (made by `scripts/setup-python.sh`).
    public static var python: String? {
        if let p = ProcessInfo.processInfo.environment["DOPPEL_PYTHON"], FileManager.default.isExecutableFile(atPath: p) { return p }
        let venv = repositoryRoot.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    /// Path of an executable product built beside the test bundle (e.g. `doppel`), if built.
    public static func builtProduct(_ name: String) -> String? {
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        candidates.append(repositoryRoot.appendingPathComponent(".build/debug"))
        for dir in candidates {
            // The test bundle may sit inside `X.xctest/...`; walk up to the build folder.
            var url = dir
            for _ in 0..<4 {
                let path = url.appendingPathComponent(name).path
                if FileManager.default.isExecutableFile(atPath: path) { return path }
                url = url.deletingLastPathComponent()
            }
        }
        return nil
    }

    /// A fresh, empty temporary directory inside this test process's own root, which is removed
    /// when the process exits.
    public static func temporaryDirectory(_ label: String = "doppel-test") throws -> URL {
        let url = testProcessRoot.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `executable` with `arguments`; returns exit status and combined output.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Starts `executable` with `arguments`, waits until `file` exists (a first checkpoint) or the
    /// process ends or `timeout` seconds pass, waits `delay` microseconds more, then kills it with
    /// SIGKILL (`kill -9`). Returns whether it was still running when killed.
    public static func killNine(_ executable: String, _ arguments: [String], after file: String, delay: UInt32 = 150_000,
                                timeout: TimeInterval = 300) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: file), process.isRunning, Date() < deadline { usleep(20_000) }
        usleep(delay)
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return wasRunning
    }
}

/// A tiny seeded generator for reproducible test data and fuzzing: SplitMix64 (Steele, Lea &
/// Flood, 2014). Tests that can import DoppelParallel may use `SeededRandom` instead.
public struct TestRandom {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
