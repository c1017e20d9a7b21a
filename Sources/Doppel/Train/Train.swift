import DoppelModel
import Foundation

/// The train step: the flat TabularARGN-style model (docs/model.md) learns the encoded training
/// partitions, with early stopping on the validation partitions, and writes `model.json`,
/// `weights.bin`, `checkpoint.bin` and `progress.csv` to `ModelStore/model-data/`.
///
/// The model schema comes from `tgt-stats/stats.json`: one model column per column in stats
/// order, its sub-columns in the encoding's canonical order (the order encode wrote them).
/// Without validation rows (e.g. a one-row table) the training rows stand in for them and early
/// stopping is off: training then ends at `maxEpochs` or `maxTime`.
public enum Train {
    public static func run(_ options: TrainOptions, progress: ProgressReporter = .silent) throws -> TrainSummary {
        try options.validate()
        let workspace = Workspace(path: options.workspace)
        // The ranks of an MPI job train together: rank 0 holds the lock and keeps the records.
        let leader = options.group.isLeader
        let lock = leader ? try WorkspaceLock.acquire(workspace, .exclusive, step: "train") : nil
        defer { withExtendedLifetime(lock) {} }
        let stepInput = leader ? try StepRecords.begin(.train, workspace) : nil
        let summary = try SequentialInputs.isSequential(workspace)
            ? trainSequential(options, workspace: workspace, progress: progress) : trainFlat(options, workspace: workspace, progress: progress)
        if leader { try StepRecords.complete(.train, workspace, input: stepInput) }
        return summary
    }

    /// Without validation examples the training ones stand in for them: early stopping is off
    /// (it would stop on the training loss), and the user is told.
    static func standInForValidation(_ examples: String, _ trainingOptions: inout TrainingOptions, options: TrainOptions,
                                     progress: ProgressReporter) {
        progress.message("no validation \(examples): the training \(examples) stand in for them and early stopping is off (use a --val-fraction > 0 in `doppel split` for early stopping)")
        trainingOptions.earlyStoppingPatience = max(options.maxEpochs, 1)
    }

    /// Trains the flat model on a flat workspace.
    static func trainFlat(_ options: TrainOptions, workspace: Workspace, progress: ProgressReporter) throws -> TrainSummary {
        let stats = try Encode.readStats(workspace, .target)
        let schema = ModelInputs.schema(stats)
        guard !schema.columns.isEmpty else {
            throw PipelineError.workspace("the data has no modelled columns (only keys); nothing to train")
        }
        progress.message("loading encoded partitions")
        let training = try ModelInputs.load(workspace, side: .training, schema: schema)
        guard training.rowCount > 0 else {
            throw PipelineError.workspace("no training rows in \(workspace.encodedDataDirectory.path): the data is empty or every subject went to validation (lower --val-fraction in `doppel split`)")
        }
        var trainingOptions = trainingOptions(options)
        let loaded = try ModelInputs.load(workspace, side: .validation, schema: schema)
        let validatedOnTraining = loaded.rowCount == 0
        let validation = validatedOnTraining ? training : loaded
        if validatedOnTraining { standInForValidation("rows", &trainingOptions, options: options, progress: progress) }
        let architecture = FlatModelArchitecture.resolve(schema: schema, size: options.size)
        try TrainingMemory.require(parameters: architecture.parameterCount, workers: options.executor.threadWorkers, size: options.size.rawValue)
        let directory = workspace.modelDataDirectory.path
        progress.message("training model \(options.size.rawValue) on \(training.rowCount) rows (\(schema.subColumnCount) sub-columns), validating on \(validatedOnTraining ? 0 : validation.rowCount) rows")
        let result = try Trainer.train(architecture: architecture, training: training, validation: validation,
                                       options: trainingOptions, directory: directory, resume: options.resume) { report($0, to: progress) }
        return TrainSummary(training: result.summary, parameterCount: result.model.parameterCount, subColumnCount: schema.subColumnCount,
                            trainingRows: training.rowCount, validationRows: validatedOnTraining ? 0 : validation.rowCount,
                            validatedOnTrainingRows: validatedOnTraining, directory: directory)
    }

    /// The training options shared by both models.
    static func trainingOptions(_ options: TrainOptions) -> TrainingOptions {
        var trainingOptions = TrainingOptions(maxEpochs: options.maxEpochs, maxTime: options.maxTime, batchSize: options.batchSize,
                                              learningRate: options.learningRate, seed: options.seed)
        trainingOptions.workers = options.executor.threadWorkers
        trainingOptions.privacy = options.privacy
        trainingOptions.statisticsEpsilon = statisticsEpsilon(Workspace(path: options.workspace))
        trainingOptions.shouldStop = options.shouldStop
        trainingOptions.group = options.group
        trainingOptions.shards = options.shards
        trainingOptions.progressInterval = 2
        return trainingOptions
    }

    /// The ε analyze's differentially private statistics spent (target and context summed), if any.
    static func statisticsEpsilon(_ workspace: Workspace) -> Double? {
        let spent = [Workspace.Role.target, .context].compactMap { role in
            (try? Encode.readStats(workspace, role))?.valueProtectionEpsilonSpent
        }
        return spent.isEmpty ? nil : spent.reduce(0, +)
    }

    /// Reports an epoch as a log line and the steps in between as a bar (and the figures to
    /// ``ProgressReporter/onTraining``).
    static func report(_ update: TrainingProgress, to progress: ProgressReporter) {
        progress.onTraining(update)
        if update.validationLoss != nil {
            progress.message(update.message)
        } else {
            progress.step(update.message, completed: Int(update.epoch * 100), total: max(1, update.maxEpochs) * 100)
        }
    }

    /// The sequential model (docs/model.md) on the workspace's encoded sequences: subjects are the
    /// examples; validation subjects drive early stopping (without any, the training subjects
    /// stand in and early stopping is off).
    static func trainSequential(_ options: TrainOptions, workspace: Workspace, progress: ProgressReporter) throws -> TrainSummary {
        let inputs = try SequentialInputs.read(workspace)
        progress.message("loading encoded sequences")
        let training = try inputs.load(workspace, side: .training)
        guard training.subjectCount > 0 else {
            throw PipelineError.workspace("no training subjects in \(workspace.encodedDataDirectory.path): the context is empty or every subject went to validation (lower --val-fraction in `doppel split`)")
        }
        var trainingOptions = trainingOptions(options)
        if inputs.context != nil, let privacy = options.privacy {
            // Two models see the same subjects: each gets half the budget (basic composition).
            trainingOptions.privacy?.maxEpsilon = privacy.maxEpsilon / 2
        }
        let loaded = try inputs.load(workspace, side: .validation)
        let validatedOnTraining = loaded.subjectCount == 0
        let validation = validatedOnTraining ? training : loaded
        if validatedOnTraining { standInForValidation("subjects", &trainingOptions, options: options, progress: progress) }
        let architecture = SequentialModelArchitecture.resolve(target: inputs.target, positional: inputs.positional, context: inputs.context,
                                                              medianLength: inputs.medianLength, size: options.size)
        try TrainingMemory.require(parameters: architecture.parameterCount, workers: options.executor.threadWorkers, size: options.size.rawValue)
        let directory = workspace.modelDataDirectory.path
        let events = (0..<training.subjectCount).reduce(0) { $0 + training.length($1) }
        progress.message("training sequential model \(options.size.rawValue) on \(training.subjectCount) subjects with \(events) events (\(inputs.target.subColumnCount) target and \(inputs.context?.subColumnCount ?? 0) context sub-columns), validating on \(validatedOnTraining ? 0 : validation.subjectCount) subjects")
        let result = try SequentialTrainer.train(architecture: architecture, training: training, validation: validation,
                                                 maxSteps: inputs.maxLength + 1, options: trainingOptions, directory: directory,
                                                 resume: options.resume) { report($0, to: progress) }
        let contextEpsilon = try trainContextModel(options, inputs: inputs, training: training, validation: validatedOnTraining ? nil : validation,
                                                   workspace: workspace, progress: progress)
        return TrainSummary(training: result.summary, parameterCount: result.model.parameterCount, subColumnCount: inputs.target.subColumnCount,
                            trainingRows: training.subjectCount, validationRows: validatedOnTraining ? 0 : validation.subjectCount,
                            validatedOnTrainingRows: validatedOnTraining, directory: directory, contextPrivacyEpsilon: contextEpsilon)
    }

    /// A flat model of the context table (its encoded columns, one row per subject), so that
    /// `doppel generate --rows N` can draw new subjects; nothing for a key-only context. With
    /// DP-SGD it trains on half the budget; returns the ε it spent.
    @discardableResult
    static func trainContextModel(_ options: TrainOptions, inputs: SequentialInputs, training: SequenceData, validation: SequenceData?,
                                  workspace: Workspace, progress: ProgressReporter) throws -> Double? {
        let directory = workspace.contextModelDataDirectory
        guard let schema = inputs.context else {
            // A key-only context has no model; one left by an earlier run of other data goes.
            try? FileManager.default.removeItem(at: directory)
            return nil
        }
        let width = schema.subColumnCount
        let trainingRows = try EncodedData(rowCount: training.subjectCount, subColumnCount: width, codes: training.contextCodes)
        let validationRows = try validation.map { try EncodedData(rowCount: $0.subjectCount, subColumnCount: width, codes: $0.contextCodes) }
        var contextOptions = trainingOptions(options)
        if let privacy = options.privacy { contextOptions.privacy?.maxEpsilon = privacy.maxEpsilon / 2 }
        if validationRows == nil { contextOptions.earlyStoppingPatience = max(options.maxEpochs, 1) }
        progress.message("training the context model \(options.size.rawValue) on \(trainingRows.rowCount) subjects (\(width) sub-columns)")
        let result = try Trainer.train(architecture: FlatModelArchitecture.resolve(schema: schema, size: options.size), training: trainingRows,
                                       validation: validationRows ?? trainingRows, options: contextOptions, directory: directory.path,
                                       resume: options.resume) { report($0, to: progress) }
        return result.summary.privacyEpsilon
    }
}
