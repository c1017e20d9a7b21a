import DoppelEncoding
import DoppelModel
import DoppelTable
import Foundation

/// A trained flat model with what reading and writing rows around it needs: the statistics and
/// model schema (checked to agree), the training data's schema and keys. The model of a flat
/// workspace's table, or the context table's model of a sequential workspace (`role: .context`).
struct TrainedFlatModel {
    let stats: StatsFile
    let schema: ModelSchema
    let model: FlatModel
    /// The columns and types of the training data (its first partition).
    let original: Schema
    let keys: KeysFile

    static func load(_ workspace: Workspace, role: Workspace.Role = .target) throws -> TrainedFlatModel {
        let stats = try Encode.readStats(workspace, role)
        let schema = ModelInputs.schema(stats)
        let model = role == .target
            ? try readModel(in: workspace.modelDataDirectory.path, schema: schema, missing: "no trained model",
                            remedy: "run `doppel train` first", stats: "tgt-stats")
            : try readModel(in: workspace.contextModelDataDirectory.path, schema: schema, missing: "no context model",
                            remedy: "the context table has no modelled columns, or `doppel train` must run again", stats: "ctx-stats")
        guard let firstPartition = try workspace.partitionFiles(role).first else {
            throw PipelineError.workspace("no partition files in \(workspace.dataDirectory(role).path); run `doppel split` first")
        }
        let original = try ArrowIPC.read(path: firstPartition.path).schema
        let keys = try MetadataJSON.read(KeysFile.self, from: workspace.keysFile(role))
        return TrainedFlatModel(stats: stats, schema: schema, model: model, original: original, keys: keys)
    }

    /// The flat model saved in `directory`, checked against the schema of `stats`/stats.json.
    static func readModel(in directory: String, schema: ModelSchema, missing: String, remedy: String, stats: String) throws -> FlatModel {
        guard FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(ModelFiles.modelFileName)) else {
            throw PipelineError.workspace("\(missing) in \(directory); \(remedy)")
        }
        let (model, _) = try ModelFiles.read(from: directory)
        guard model.schema == schema else {
            throw PipelineError.workspace("the model in \(directory) was trained on other columns than \(stats)/stats.json describes; run `doppel train` again")
        }
        return model
    }

    /// The index of the modelled column `name` and its first sub-column.
    func column(_ name: String, option: String) throws -> (index: Int, firstSubColumn: Int) {
        let found = try GenerationConstraints.column(name, stats: stats, schema: schema, option: option)
        return (found.index, found.subColumns.lowerBound)
    }
}
