#if canImport(Glibc)
import Glibc
#endif
import Doppel
import Foundation

/// Draws progress on standard error: a redrawn bar on a terminal, plain lines otherwise
/// (so logs of CI runs stay readable).
final class TerminalProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let quiet: Bool
    private let start = Date()
    private var barShown = false

    init(quiet: Bool) { self.quiet = quiet }

    var reporter: ProgressReporter {
        ProgressReporter(onMessage: { [self] in message($0) }, onStep: { [self] in step($0, $1, $2) })
    }

    func message(_ text: String) {
        guard !quiet else { return }
        lock.withLock {
            clearBar()
            write("[\(elapsed())] \(text)\n")
        }
    }

    func step(_ label: String, _ completed: Int, _ total: Int) {
        guard !quiet else { return }
        lock.withLock {
            if isTerminal {
                let width = 30
                let filled = total > 0 ? min(width, completed * width / total) : width
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                write("\r\u{1B}[2K[\(elapsed())] \(bar) \(completed)/\(total) \(label)")
                barShown = true
                if completed >= total { write("\n"); barShown = false }
            } else if completed >= total || completed == 0 {
                write("[\(elapsed())] \(label) (\(completed)/\(total))\n")
            }
        }
    }

    /// Ends a bar line that is still open.
    func finish() { lock.withLock { clearBar() } }

    private func clearBar() {
        if barShown { write("\n"); barShown = false }
    }

    private func elapsed() -> String {
        let seconds = Date().timeIntervalSince(start)
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)s"
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
