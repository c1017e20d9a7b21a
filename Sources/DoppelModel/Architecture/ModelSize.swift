import Foundation

/// Size preset of the network (TabularARGN's S / M / L heuristics, see docs/model.md).
public enum ModelSize: String, Codable, Sendable, CaseIterable {
    case small = "S", medium = "M", large = "L"
}

/// The size heuristics of the reference engine, with `c(x) = round(ln(max(x, e)))`.
enum SizeHeuristics {
    static func c(_ x: Int) -> Int { Int((log(max(Double(x), M_E))).rounded()) }

    /// Embedding width of a sub-column with `cardinality` codes.
    static func embeddingDimension(cardinality n: Int, size: ModelSize) -> Int {
        let (factor, exponent): (Double, Double) = switch size {
        case .small: (2, 0.15)
        case .medium: (3, 0.25)
        case .large: (4, 0.33)
        }
        let scaled = Int(factor * pow(Double(n), exponent).rounded(.up))
        return min(n, max(10, scaled))
    }

    /// Column embedding width: a compressor only when the model has more than 50 sub-columns and
    /// the column more than 2; `nil` means plain concatenation of the sub-column embeddings.
    static func columnEmbeddingDimension(subColumns: Int, totalSubColumns: Int, concatenatedWidth: Int,
                                         size: ModelSize) -> Int? {
        guard totalSubColumns > 50, subColumns > 2 else { return nil }
        let base = switch size {
        case .small: 4
        case .medium: 10
        case .large: 16
        }
        return min(base + subColumns, concatenatedWidth)
    }

    /// Regressor hidden layers of a sub-column with `cardinality` codes and `inputWidth` inputs.
    static func regressorLayers(cardinality: Int, inputWidth: Int, size: ModelSize) -> [Int] {
        switch size {
        case .small: [4 * c(cardinality)]
        case .medium: [16 * c(cardinality)]
        case .large: [16 * c(inputWidth), 16 * c(cardinality)]
        }
    }
}
