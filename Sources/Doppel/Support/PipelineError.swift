/// An error of a pipeline step that is not about one place in one file.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An option or combination of options that cannot work.
    case invalidOption(String)
    /// The workspace lacks what this step needs (e.g. `analyze` before `split`).
    case workspace(String)

    public var description: String {
        switch self {
        case .invalidOption(let text): text
        case .workspace(let text): "workspace: \(text)"
        }
    }
}
