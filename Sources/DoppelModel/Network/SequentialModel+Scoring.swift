import DoppelNN
import DoppelParallel

extension SequentialModel {
    /// `ln p(sequence | context)` in nats for every subject of `data`, in subject order: minus
    /// the loss of its events, each event's columns in schema order (after the positional
    /// column), each given the columns before it, the subject's earlier events and its context;
    /// the length counts too (`SLEN` at the first step and the end row's `RIDX`), so a sequence's
    /// score includes the probability that it has as many events as it has. Evaluation mode;
    /// subjects run one per pass, in parallel chunks, so the result does not depend on `workers`.
    public func logLikelihoods(_ data: SequenceData, maxSteps: Int, workers: Int = 1) throws(ModelError) -> [Double] {
        let chunk = 64, subjects = data.subjectCount
        let columns = architecture.target.columns.count, positional = architecture.positional
        let model = self
        let parts = ParallelLoop.map((subjects + chunk - 1) / chunk, workers: workers) { i -> Result<[Double], ModelError> in
            Result { () throws(ModelError) -> [Double] in
                var random = SeededRandom(seed: 0)  // unused: the order is fixed
                return try (i * chunk ..< min(subjects, (i + 1) * chunk)).map { s throws(ModelError) -> Double in
                    let batch = SequenceBatch.make(from: data, subjects: [s], maxSteps: maxSteps, positional: positional, columns: columns,
                                                   random: &random, schemaOrder: true)
                    return -(try model.loss(batch).reduce(0, +))
                }
            }
        }
        var scores: [Double] = []
        scores.reserveCapacity(subjects)
        for part in parts { scores += try part.get() }
        return scores
    }
}
