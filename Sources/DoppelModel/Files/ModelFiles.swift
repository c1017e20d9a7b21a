import Foundation
import DoppelNN

/// An architecture that a `model.json` can describe: it names its file format and checks itself.
public protocol ModelArchitecture: Codable, Sendable, Equatable {
    /// The `format` field of `model.json` (`doppel-flat-model`, `doppel-sequential-model`).
    static var modelFormatName: String { get }
    func validate() throws(ModelError)
    /// Parameter count implied by the widths (checked before allocating a model from a file).
    var estimatedParameterCount: Int { get }
}

extension FlatModelArchitecture: ModelArchitecture {
    public static var modelFormatName: String { "doppel-flat-model" }
}

extension SequentialModelArchitecture: ModelArchitecture {
    public static var modelFormatName: String { "doppel-sequential-model" }
}

/// What `model.json` holds: the format, the fully resolved architecture and a summary of training.
public struct ModelDescriptionOf<Architecture: ModelArchitecture>: Codable, Sendable, Equatable {
    public static var formatName: String { Architecture.modelFormatName }
    public static var currentFormatVersion: Int { 1 }

    public var format: String
    public var formatVersion: Int
    public var architecture: Architecture
    public var parameterCount: Int
    public var training: TrainingSummary?

    public init(architecture: Architecture, parameterCount: Int, training: TrainingSummary?) {
        format = Self.formatName
        formatVersion = Self.currentFormatVersion
        self.architecture = architecture
        self.parameterCount = parameterCount
        self.training = training
    }
}

/// `model.json` of a flat model.
public typealias ModelDescription = ModelDescriptionOf<FlatModelArchitecture>
/// `model.json` of a sequential model.
public typealias SequentialModelDescription = ModelDescriptionOf<SequentialModelArchitecture>

/// The model folder: `model.json` (architecture + training summary), `weights.bin` (see
/// ``WeightsFile``), `checkpoint.bin` (resume state, see ``TrainingCheckpoint``) and
/// `progress.csv` (one row per epoch). Every file is written atomically.
public enum ModelFiles {
    public static let modelFileName = "model.json"
    public static let weightsFileName = "weights.bin"
    public static let checkpointFileName = "checkpoint.bin"
    public static let progressFileName = "progress.csv"

    /// Writes `model.json` and `weights.bin` into `directory` (created if needed).
    public static func write(_ model: FlatModel, training: TrainingSummary?, to directory: String) throws(ModelError) {
        try FileAccess.createDirectory(directory)
        try writeWeights(model, to: directory)
        try writeDescription(ModelDescription(architecture: model.architecture, parameterCount: model.parameterCount, training: training),
                             to: directory)
    }

    static func writeWeights(_ model: FlatModel, to directory: String) throws(ModelError) {
        try FileAccess.writeAtomically(WeightsFile.encode(model.store), to: path(directory, weightsFileName))
    }

    static func writeDescription<A>(_ description: ModelDescriptionOf<A>, to directory: String) throws(ModelError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let target = path(directory, modelFileName)
        do {
            try FileAccess.writeAtomically([UInt8](try encoder.encode(description)), to: target)
        } catch let error as ModelError { throw error } catch {
            throw .io(path: target, reason: "cannot encode: \(error)")
        }
    }

    /// Reads and validates `model.json` (flat models).
    public static func readDescription(from directory: String) throws(ModelError) -> ModelDescription {
        try readDescription(ModelDescription.self, from: directory)
    }

    /// Reads and validates `model.json` of the model kind `A`: format name and version, the
    /// architecture's own checks, and a parameter-count bound before anything is allocated.
    public static func readDescription<A>(_ type: ModelDescriptionOf<A>.Type, from directory: String) throws(ModelError) -> ModelDescriptionOf<A> {
        let file = path(directory, modelFileName)
        let bytes = try FileAccess.read(file)
        let description: ModelDescriptionOf<A>
        do { description = try JSONDecoder().decode(ModelDescriptionOf<A>.self, from: Data(bytes)) } catch {
            throw .invalidFile(path: file, reason: "not a Doppel model description (\(A.modelFormatName)): \(Self.describe(error, bytes: bytes))")
        }
        guard description.format == ModelDescriptionOf<A>.formatName else {
            throw .invalidFile(path: file, reason: "format \"\(description.format)\", expected \"\(ModelDescriptionOf<A>.formatName)\"")
        }
        guard description.formatVersion == ModelDescriptionOf<A>.currentFormatVersion else {
            throw .invalidFile(path: file, reason: "format version \(description.formatVersion), this build reads \(ModelDescriptionOf<A>.currentFormatVersion)")
        }
        do { try description.architecture.validate() } catch {
            throw .invalidFile(path: file, reason: error.description)
        }
        let estimate = description.architecture.estimatedParameterCount
        guard estimate <= 1 << 31 else { throw .invalidFile(path: file, reason: "architecture with \(estimate) parameters is too large") }
        return description
    }

    /// Loads the model in `directory`: the architecture from `model.json`, the weights from
    /// `weights.bin`, both fully validated.
    public static func read(from directory: String) throws(ModelError) -> (model: FlatModel, description: ModelDescription) {
        let description = try readDescription(from: directory)
        var model = FlatModel(architecture: description.architecture, seed: 0)
        let file = path(directory, weightsFileName)
        model.setWeights(try WeightsFile.decode(try FileAccess.read(file), for: model.store, path: file))
        return (model, description)
    }

    /// Loads a sequential model: `model.json` (format `doppel-sequential-model`, validated, its
    /// size bounded before allocating) and `weights.bin` (checksums, layout, finite values).
    public static func readSequential(from directory: String) throws(ModelError) -> (model: SequentialModel, description: SequentialModelDescription) {
        let description = try readDescription(SequentialModelDescription.self, from: directory)
        var model = SequentialModel(architecture: description.architecture, seed: 0)
        let weights = path(directory, weightsFileName)
        model.store.values = try WeightsFile.decode(try FileAccess.read(weights), for: model.store, path: weights)
        return (model, description)
    }

    static func path(_ directory: String, _ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
}

extension FlatModelArchitecture {
    /// Parameter count implied by the widths (checked before allocating a model from a file).
    public var estimatedParameterCount: Int {
        let context = columns.reduce(0) { $0 + $1.embeddingDimension }
        var total = 0
        for column in columns {
            let own = column.subColumns.reduce(0) { $0 + $1.embeddingDimension }
            total += column.subColumns.reduce(0) { $0 + $1.cardinality * $1.embeddingDimension }
            if column.compressed { total += (own + 1) * column.embeddingDimension }
            var inputs = context + own
            let depth = column.subColumns.first?.regressorLayers.count ?? 0
            for l in 0...depth {
                let outputs = column.subColumns.reduce(0) { $0 + (l < depth ? $1.regressorLayers[min(l, $1.regressorLayers.count - 1)] : $1.cardinality) }
                total += (inputs + 1) * outputs
                inputs = outputs
            }
        }
        return total
    }
}

extension SequentialModelArchitecture {
    /// Parameter count implied by the widths: the heads (their first layers widened by the
    /// condition), the context embeddings and encoder, the history LSTM.
    public var estimatedParameterCount: Int {
        let embeddings = target.columns.reduce(0) { $0 + $1.subColumns.reduce(0) { $0 + $1.embeddingDimension } }
        let firstLayers = target.columns.reduce(0) { $0 + $1.subColumns.reduce(0) { $0 + ($1.regressorLayers.first ?? 0) } }
        let context = self.context.reduce(0) { $0 + $1.cardinality * $1.embeddingDimension }
        let contextInput = self.context.reduce(0) { $0 + $1.embeddingDimension }
        return target.estimatedParameterCount + firstLayers * (contextWidth + historyWidth) + context + (contextInput + 1) * contextWidth
            + 4 * historyWidth * (embeddings + historyWidth + 1)
    }
}

extension ModelFiles {
    /// A decoding error in words, with the path of the field it is about (e.g. a layer width too
    /// large for an integer reads "at architecture.columns[2]…: …", not "not valid JSON").
    static func describe(_ error: Error, bytes: [UInt8]) -> String {
        func path(_ codingPath: [CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case DecodingError.dataCorrupted(let context):
            if context.codingPath.isEmpty, let number = hugeNumber(in: bytes) {
                // Valid JSON whose number does not fit an integer field (the decoder only says "not valid JSON").
                return "at \(number.path): \(number.text) is too large for an integer"
            }
            return (context.codingPath.isEmpty ? "" : "at \(path(context.codingPath)): ") + context.debugDescription
        case DecodingError.keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "at \(path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    /// The first number of magnitude ≥ 2⁶³ in valid JSON `bytes`, with its path.
    static func hugeNumber(in bytes: [UInt8]) -> (path: String, text: String)? {
        guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) else { return nil }
        func search(_ value: Any, _ path: String) -> (String, String)? {
            switch value {
            case let object as [String: Any]:
                for key in object.keys.sorted() { if let found = search(object[key]!, path.isEmpty ? key : "\(path).\(key)") { return found } }
            case let array as [Any]:
                for (i, item) in array.enumerated() { if let found = search(item, "\(path)[\(i)]") { return found } }
            case let number as NSNumber where !(number is Bool) && abs(number.doubleValue) >= 0x1p63:
                return (path, number.description)
            default:
                break
            }
            return nil
        }
        return search(root, "").map { (path: $0.0, text: $0.1) }
    }
}
