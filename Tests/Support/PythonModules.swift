import Foundation
import Synchronization

/// Answers of `TestSupport.pythonHas`, one per module name, so each module is imported once per test process.
private let importableModules = Mutex<[String: Bool]>([:])

extension TestSupport {
    /// Whether `TestSupport.python` imports `module` (e.g. `"polars"`, `"duckdb"`); `false` without
    /// a Python. The answer is cached for the process, so a test condition may call it freely.
    public static func pythonHas(_ module: String) -> Bool {
        if let known = importableModules.withLock({ $0[module] }) { return known }
        var found = false
        if let python, module.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) {
            found = (try? run(python, ["-c", "import \(module)"]))?.status == 0
        }
        importableModules.withLock { $0[module] = found }
        return found
    }
}
