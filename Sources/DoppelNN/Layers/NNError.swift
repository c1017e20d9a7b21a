/// Errors raised by layers on data-dependent problems (codes out of range, bad targets).
public enum NNError: Error, Equatable, CustomStringConvertible {
    /// A code outside `0..<cardinality` was passed to a layer.
    case codeOutOfRange(layer: String, row: Int, code: Int32, cardinality: Int)

    public var description: String {
        switch self {
        case let .codeOutOfRange(layer, row, code, cardinality):
            return "\(layer): code \(code) in row \(row) is outside 0..<\(cardinality)"
        }
    }
}
