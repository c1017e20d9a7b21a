import DoppelModel

/// A small training run with fixed data and seed (800 rows of a 5-column census-like schema, model S), so that two
/// processes (one killed and resumed, one straight) can be compared file by file.
enum InterruptibleTraining {
    static func run(directory: String, epochs: Int, resume: Bool) throws {
        let training = SyntheticCensus.codes(rows: 800, seed: 1, schema: SyntheticCensus.smallSchema)
        let validation = SyntheticCensus.codes(rows: 100, seed: 2, schema: SyntheticCensus.smallSchema)
        var options = TrainingOptions(maxEpochs: epochs, seed: 5, earlyStoppingPatience: 100)
        options.batchSize = 64
        options.progressInterval = 1e9
        let result = try Trainer.train(architecture: .resolve(schema: SyntheticCensus.smallSchema, size: .small), training: training,
                                       validation: validation, options: options, directory: directory, resume: resume) { p in
            if p.validationLoss != nil { print(p.message) }
        }
        print("done: \(result.summary.epochs) epochs")
    }
}
