import DoppelModel

/// Where a pipeline step reports what it is doing. The CLI draws progress bars from it; library
/// users can log or ignore it.
public struct ProgressReporter: Sendable {
    /// A free-form status line ("reading data.csv").
    public var onMessage: @Sendable (String) -> Void
    /// Progress of a counted piece of work: `completed` of `total` units done.
    public var onStep: @Sendable (_ label: String, _ completed: Int, _ total: Int) -> Void
    /// Training's own figures (epoch, losses, learning rate, times), as they are reported; for
    /// consumers that want numbers rather than lines (the Python package's progress callback).
    public var onTraining: @Sendable (TrainingProgress) -> Void

    public init(onMessage: @escaping @Sendable (String) -> Void, onStep: @escaping @Sendable (String, Int, Int) -> Void,
                onTraining: @escaping @Sendable (TrainingProgress) -> Void = { _ in }) {
        self.onMessage = onMessage
        self.onStep = onStep
        self.onTraining = onTraining
    }

    /// Reports nothing.
    public static let silent = ProgressReporter(onMessage: { _ in }, onStep: { _, _, _ in })

    public func message(_ text: String) { onMessage(text) }
    public func step(_ label: String, completed: Int, total: Int) { onStep(label, completed, total) }
}
