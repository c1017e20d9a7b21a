#if canImport(Glibc)
import Glibc
#endif
import Doppel
import DoppelModel
import Foundation

/// Draws progress on standard error: a redrawn bar on a terminal, plain lines otherwise
/// (so logs of CI runs stay readable). With `DOPPEL_PROGRESS=json` in the environment every
/// report is one JSON object per line instead (see ``JSONProgress``), for programs that drive
/// the CLI, such as the Python package.
final class TerminalProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let quiet: Bool
    private let json = ProcessInfo.processInfo.environment["DOPPEL_PROGRESS"] == "json"
    private let start = Date()
    private var barShown = false

    init(quiet: Bool) { self.quiet = quiet }

    var reporter: ProgressReporter {
        ProgressReporter(onMessage: { [self] in message($0) }, onStep: { [self] in step($0, $1, $2) },
                         onTraining: { [self] in training($0) })
    }

    func message(_ text: String) {
        guard !quiet else { return }
        if json { return emit(JSONProgress.message(text, elapsed: seconds())) }
        lock.withLock {
            clearBar()
            write("[\(elapsed())] \(text)\n")
        }
    }

    func step(_ label: String, _ completed: Int, _ total: Int) {
        guard !quiet else { return }
        if json { return emit(JSONProgress.step(label, completed: completed, total: total, elapsed: seconds())) }
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

    /// Training figures: JSON mode only (the text mode shows them through message and step).
    func training(_ update: TrainingProgress) {
        guard !quiet, json else { return }
        emit(JSONProgress.training(update))
    }

    private func emit(_ line: String) { lock.withLock { write(line + "\n") } }

    private func seconds() -> Double { Date().timeIntervalSince(start) }

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

/// The machine-readable progress lines of `DOPPEL_PROGRESS=json`, one JSON object per line on
/// standard error (lines that do not start with `{` are errors or warnings):
///
/// ```
/// {"event":"message","text":"reading data.csv","elapsed":0.1}
/// {"event":"step","label":"encoding part-000000-trn.arrow","completed":0,"total":2,"elapsed":0.2}
/// {"event":"error","kind":"workspace","message":"…"}   (then the `error: …` line; kinds: workspace, data, option, other)
/// {"event":"training","epoch":3,"max_epochs":100,"steps":261,"samples":133632,"trn_loss":12.4,
///  "val_loss":12.3,"learn_rate":0.004,"total_time":0.5,"remaining":13.1,"is_checkpoint":true}
/// ```
/// `val_loss` is `null` between epoch ends. Field names of the training event follow the
/// reference engine's progress messages.
enum JSONProgress {
    static func message(_ text: String, elapsed: Double) -> String {
        line(["event": "message", "text": text, "elapsed": number(elapsed)])
    }

    static func step(_ label: String, completed: Int, total: Int, elapsed: Double) -> String {
        line(["event": "step", "label": label, "completed": completed, "total": total, "elapsed": number(elapsed)])
    }

    static func training(_ u: TrainingProgress) -> String {
        line(["event": "training", "epoch": number(u.epoch), "max_epochs": u.maxEpochs, "steps": u.steps, "samples": u.samples,
              "trn_loss": number(u.trainLoss), "val_loss": u.validationLoss.map(number) ?? NSNull(),
              "learn_rate": number(Double(u.learningRate)), "total_time": number(u.elapsedSeconds),
              "remaining": number(u.remainingSeconds), "is_checkpoint": u.isCheckpoint])
    }

    /// An error, before the `error: …` line (see `runReportingErrors`).
    static func error(kind: String, message: String) -> String {
        line(["event": "error", "kind": kind, "message": message])
    }

    private static func line(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A finite number (NaN and infinities, which JSON lacks, become null).
    private static func number(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
}
