import Foundation
import DoppelNN

/// What `model.json` holds: the format, the fully resolved architecture and a summary of training.
public struct ModelDescription: Codable, Sendable, Equatable {
    public static let formatName = "doppel-flat-model"
    public static let currentFormatVersion = 1

    public var format: String
    public var formatVersion: Int
    public var architecture: FlatModelArchitecture
    public var parameterCount: Int
    public var training: TrainingSummary?

    public init(architecture: FlatModelArchitecture, parameterCount: Int, training: TrainingSummary?) {
        format = Self.formatName
        formatVersion = Self.currentFormatVersion
        self.architecture = architecture
        self.parameterCount = parameterCount
        self.training = training
    }
}

/// What `model.json` holds for a sequential model (format `doppel-sequential-model`).
public struct SequentialModelDescription: Codable, Sendable, Equatable {
    public static let formatName = "doppel-sequential-model"
    public static let currentFormatVersion = 1

    public var format: String
    public var formatVersion: Int
    public var architecture: SequentialModelArchitecture
    public var parameterCount: Int
    public var training: TrainingSummary?

    public init(architecture: SequentialModelArchitecture, parameterCount: Int, training: TrainingSummary?) {
        format = Self.formatName
        formatVersion = Self.currentFormatVersion
        self.architecture = architecture
        self.parameterCount = parameterCount
        self.training = training
    }
}

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

    static func writeDescription(_ description: ModelDescription, to directory: String) throws(ModelError) {
        try writeJSON(description, to: directory)
    }

    static func writeSequentialDescription(_ description: SequentialModelDescription, to directory: String) throws(ModelError) {
        try writeJSON(description, to: directory)
    }

    private static func writeJSON<T: Encodable>(_ description: T, to directory: String) throws(ModelError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let target = path(directory, modelFileName)
        do {
            try FileAccess.writeAtomically([UInt8](try encoder.encode(description)), to: target)
        } catch let error as ModelError { throw error } catch {
            throw .io(path: target, reason: "cannot encode: \(error)")
        }
    }

    /// Reads and validates `model.json`.
    public static func readDescription(from directory: String) throws(ModelError) -> ModelDescription {
        let file = path(directory, modelFileName)
        let bytes = try FileAccess.read(file)
        let description: ModelDescription
        do { description = try JSONDecoder().decode(ModelDescription.self, from: Data(bytes)) } catch {
            throw .invalidFile(path: file, reason: "not a Doppel model description: \(error)")
        }
        guard description.format == ModelDescription.formatName else {
            throw .invalidFile(path: file, reason: "format \"\(description.format)\", expected \"\(ModelDescription.formatName)\"")
        }
        guard description.formatVersion == ModelDescription.currentFormatVersion else {
            throw .invalidFile(path: file, reason: "format version \(description.formatVersion), this build reads \(ModelDescription.currentFormatVersion)")
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
        let file = path(directory, modelFileName)
        let bytes = try FileAccess.read(file)
        let description: SequentialModelDescription
        do { description = try JSONDecoder().decode(SequentialModelDescription.self, from: Data(bytes)) } catch {
            throw .invalidFile(path: file, reason: "not a Doppel sequential model description: \(error)")
        }
        guard description.format == SequentialModelDescription.formatName,
              description.formatVersion == SequentialModelDescription.currentFormatVersion else {
            throw .invalidFile(path: file, reason: "format \"\(description.format)\" version \(description.formatVersion), expected \"\(SequentialModelDescription.formatName)\" version \(SequentialModelDescription.currentFormatVersion)")
        }
        do { try description.architecture.validate() } catch { throw .invalidFile(path: file, reason: error.description) }
        let a = description.architecture
        let history = 4 * a.historyWidth * (a.historyWidth + a.target.columns.reduce(0) { $0 + $1.subColumns.reduce(0) { $0 + $1.embeddingDimension } } + 1)
        let context = a.context.reduce(0) { $0 + $1.cardinality * $1.embeddingDimension } * 2
        let heads = a.target.estimatedParameterCount * (1 + (a.contextWidth + a.historyWidth) / max(1, a.target.columns.reduce(0) { $0 + $1.embeddingDimension }))
        guard heads + history + context <= 1 << 31 else { throw .invalidFile(path: file, reason: "architecture too large") }
        var model = SequentialModel(architecture: a, seed: 0)
        let weights = path(directory, weightsFileName)
        model.store.values = try WeightsFile.decode(try FileAccess.read(weights), for: model.store, path: weights)
        return (model, description)
    }

    static func path(_ directory: String, _ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
}

extension FlatModelArchitecture {
    /// Parameter count implied by the widths (checked before allocating a model from a file).
    var estimatedParameterCount: Int {
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
