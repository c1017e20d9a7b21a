import DoppelNN

/// Errors of the model library, each with a message that names what is wrong and where.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case invalidSchema(String)
    case shapeMismatch(String)
    case codeOutOfRange(subColumn: String, row: Int, code: Int32, cardinality: Int)
    case invalidOption(String)
    /// Training needs a non-empty validation split (early stopping and checkpoints rely on it).
    case noValidationData
    case noTrainingData
    /// A model file could not be read or written.
    case io(path: String, reason: String)
    /// A model file is corrupt, truncated, from another program, or for another architecture.
    case invalidFile(path: String, reason: String)
    /// A collective operation of a multi-process (MPI) run failed.
    case distributed(String)

    public var description: String {
        switch self {
        case .invalidSchema(let s): return "invalid model schema: \(s)"
        case .shapeMismatch(let s): return "code matrix shape mismatch: \(s)"
        case .codeOutOfRange(let sub, let row, let code, let card):
            return "code \(code) out of range 0..<\(card) in sub-column \(sub), row \(row)"
        case .invalidOption(let s): return "invalid option: \(s)"
        case .noValidationData: return "no validation rows: training needs a non-empty validation split"
        case .noTrainingData: return "no training rows: nothing to train on"
        case .io(let path, let reason): return "\(path): \(reason)"
        case .invalidFile(let path, let reason): return "\(path): \(reason)"
        case .distributed(let s): return s
        }
    }
}

extension ModelError {
    /// Runs `body`, turning a layer's error into the model's: a code outside its table names the
    /// table, row and code; anything else becomes a shape mismatch with its message.
    static func mapping<R>(_ body: () throws -> R) throws(ModelError) -> R {
        do { return try body() } catch let error as NNError {
            if case .codeOutOfRange(let layer, let row, let code, let card) = error {
                throw .codeOutOfRange(subColumn: layer, row: row, code: code, cardinality: card)
            }
            throw .shapeMismatch(error.description)
        } catch let error as ModelError {
            throw error
        } catch {
            throw .shapeMismatch("\(error)")
        }
    }
}
