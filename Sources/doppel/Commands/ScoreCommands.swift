import ArgumentParser
import Doppel
import Foundation

/// The options `log-prob` and `predict` share: the workspace, the rows, where the result goes.
struct ScoreArguments: ParsableArguments {
    @Option(help: "Workspace folder trained by `doppel train`.")
    var workspace: String

    @Option(help: "The rows (.csv, .csv.gz, .parquet, .arrow), with the training data's columns.")
    var data: String

    @Option(help: "Output table (.csv, .csv.gz, .parquet, .arrow), one row per input row.")
    var output: String

    @OptionGroup var executor: ExecutorOptions

    @OptionGroup var read: ReadOptions

    @OptionGroup var flags: RunFlags

    func options() throws -> ScoreOptions {
        try ExistingOutputs.refuse([output], force: flags.force)
        var options = ScoreOptions(workspace: workspace, dataPath: data, outputPath: output)
        options.read = try read.resolved()
        options.executor = try executor.configuration()
        return options
    }
}

/// `doppel log-prob`: the log-likelihood of each row (flat) or subject (sequential) under the trained model.
struct LogProbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log-prob",
        abstract: "Log-likelihood of each row, or of each subject's sequence, under the trained model.",
        discussion: """
        Flat tables: one column, log_prob: ln p(row) in nats, with the columns in the training \
        data's order, each given the ones before it. Sequential data: --data holds the events \
        and --context the subjects; one row per subject with its key, log_prob_context (the \
        context table's model), log_prob_sequence (ln p(events | context), each event's columns \
        in the training data's order, the number of events included) and log_prob, their sum. \
        Rows unlike the training data score lower, e.g. for outlier detection. Every modelled \
        column must be present.
        """
    )

    @OptionGroup var arguments: ScoreArguments

    @Option(help: "Sequential data: the context table (one row per subject, with its primary key) of the events in --data.")
    var context: String?

    func run() throws {
        var options = try arguments.options()
        options.contextDataPath = context
        let progress = TerminalProgress(quiet: arguments.flags.quiet)
        let summary = try runReportingErrors { try LogProb.run(options, progress: progress.reporter) }
        progress.finish()
        print("Scored \(summary.rows) rows → \(summary.outputPath)")
    }
}

/// `doppel predict`: one column predicted from the others.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict a column from the other columns with the trained model (flat tables; context tables of sequential data).",
        discussion: """
        A categorical or discrete target: the most likely value given the rest of each row, or \
        with --proba the probability of every value (one column per value). Another target: a \
        value drawn from the model given the rest of the row (--seed). The target column may \
        be in --data; its values are not read. On a sequential workspace --data is a context \
        table and the target one of its columns, predicted by the context table's model.
        """
    )

    @OptionGroup var arguments: ScoreArguments

    @Option(help: "The column to predict.")
    var target: String

    @Flag(name: .customLong("proba"), help: "Class probabilities instead of values.")
    var probabilities = false

    @Option(parsing: .unconditional, help: "Random seed of sampled predictions (targets that are not categorical).")
    var seed: UInt64 = 0

    func run() throws {
        var options = try arguments.options()
        options.target = target
        options.probabilities = probabilities
        options.seed = seed
        let progress = TerminalProgress(quiet: arguments.flags.quiet)
        let summary = try runReportingErrors { try Predict.run(options, progress: progress.reporter) }
        progress.finish()
        print("Predicted '\(target)' for \(summary.rows) rows (\(summary.columns.count) column(s)) → \(summary.outputPath)")
    }
}
