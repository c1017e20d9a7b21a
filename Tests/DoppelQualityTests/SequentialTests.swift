import DoppelParallel
import DoppelTable
import Testing
@testable import DoppelQuality

@Suite struct SequentialTests {
    /// Subjects with 1…6 events; event kinds follow a cycle so that next-row coherence matters.
    static func events(_ subjects: Int, seed: UInt64, shuffled: Bool = false) throws -> (events: Table, context: Table) {
        var r = SeededRandom(seed: seed)
        var keys: [Int64] = [], kinds: [String?] = [], amounts: [Double?] = []
        var ctxKeys: [Int64] = [], segments: [String?] = []
        for s in 0..<subjects {
            ctxKeys.append(Int64(s))
            segments.append(r.nextDouble() < 0.5 ? "retail" : "business")
            let length = 1 + r.uniform(below: 6)
            var state = r.uniform(below: 3)
            for _ in 0..<length {
                keys.append(Int64(s))
                kinds.append(["open", "pay", "close"][state])
                amounts.append(Double(state * 100) + r.nextDouble() * 10)
                state = shuffled ? r.uniform(below: 3) : (state + 1) % 3
            }
        }
        return (try Table([("id", .int64(keys)), ("kind", .string(kinds)), ("amount", .float64(amounts))]),
                try Table([("id", .int64(ctxKeys)), ("segment", .string(segments))]))
    }

    @Test func sequentialFrameHasLengthNextAndContextColumns() throws {
        let (e, c) = try Self.events(300, seed: 1)
        let keys = SubjectKeys(targetKey: "id")
        let data = EvaluationData(target: e, context: c)
        #expect(SubjectSampling.setup(data, keys: keys) == .oneToMany)
        var r = SeededRandom(seed: 1)
        let frame = try SubjectSampling.frame(data, keys: keys, setup: .oneToMany, tableName: "t", random: &r)
        #expect(frame.subjectCount == 300)
        #expect(frame.entries.map(\.key) == ["ctx::segment", "tgt::Sequence Length", "tgt::amount", "tgt::kind", "nxt::amount", "nxt::kind"])
        guard case .numeric(let lengths) = frame.entry("tgt::Sequence Length")!.column,
              case .categorical(let next, _) = frame.entry("nxt::kind")!.column else { Issue.record("unexpected kinds"); return }
        // One-row sequences have no next row.
        for (len, n) in zip(lengths, next) { #expect((len == 1) == (n < 0)) }
    }

    @Test func coherenceSeesShuffledSequences() throws {
        let keys = SubjectKeys(targetKey: "id")
        let (trn, ctx) = try Self.events(400, seed: 1)
        let (hol, holCtx) = try Self.events(400, seed: 2)
        let (good, goodCtx) = try Self.events(400, seed: 3)
        let (bad, badCtx) = try Self.events(400, seed: 4, shuffled: true)
        var options = QualityEvaluator.Options()
        options.computeDistances = false
        let g = try QualityEvaluator.evaluate(training: .init(target: trn, context: ctx), synthetic: .init(target: good, context: goodCtx),
                                              holdout: .init(target: hol, context: holCtx), keys: keys, options: options)
        let b = try QualityEvaluator.evaluate(training: .init(target: trn, context: ctx), synthetic: .init(target: bad, context: badCtx),
                                              holdout: .init(target: hol, context: holCtx), keys: keys, options: options)
        let gc = try #require(g.metrics.accuracy.coherence), bc = try #require(b.metrics.accuracy.coherence)
        #expect(gc > bc + 0.05)
        #expect(g.accuracy.bivariates.contains { $0.kind == .context })
        #expect(g.accuracy.bivariates.filter { $0.kind == .next }.count == 2)
        #expect(g.coherence?.categoriesPerSequenceColumns.count == 2)
        #expect(g.accuracy.univariates.contains { $0.column == "tgt::Sequence Length" })
        let expected = [g.metrics.accuracy.univariate!, g.metrics.accuracy.bivariate!, g.metrics.accuracy.trivariate!, gc]
        #expect(abs(g.metrics.accuracy.overall! - expected.reduce(0, +) / 4) < 1e-12)
    }

    @Test func sequentialDistancesUseRowsWithSequenceLength() throws {
        let keys = SubjectKeys(targetKey: "id")
        let (trn, ctx) = try Self.events(200, seed: 1)
        let (hol, holCtx) = try Self.events(200, seed: 2)
        let r = try QualityEvaluator.evaluate(training: .init(target: trn, context: ctx), synthetic: .init(target: trn, context: ctx),
                                              holdout: .init(target: hol, context: holCtx), keys: keys)
        let d = try #require(r.metrics.distances)
        // Synthetic = training: every row has an identical match.
        #expect(d.imsTraining == 1)
        #expect(d.dcrShare! > 0.9)
        // Sequence length, amount, kind; segment from the context.
        #expect(r.privacy?.numericEntries == 2 && r.privacy?.categoricalColumns == 2)
    }
}
