import Foundation
import Testing
import DoppelNN
import DoppelParallel
@testable import DoppelModel

/// The sequential model's pieces above the network: architecture heuristics and validation,
/// batches with the reference's loss masks, and a short training run on generated sequences.
@Suite struct SequentialModelTests {
    static let maxLength = 5
    /// Positional column (sidx, slen, ridx: cards 6) then an event column E (card 4).
    static let target = ModelSchema(columns: [
        .init(name: "", subColumns: [.init(name: "__sidx_cat", cardinality: maxLength + 1), .init(name: "__slen_cat", cardinality: maxLength + 1),
                                     .init(name: "__ridx_cat", cardinality: maxLength + 1)]),
        .init(name: "E", subColumns: [.init(name: "cat", cardinality: 4)]),
    ])
    static let positional = PositionalSubColumns(sidx: [0], slen: [1], ridx: [2])
    static let context = ModelSchema(columns: [.init(name: "kind", subColumns: [.init(name: "cat", cardinality: 3)])])

    /// Subject s: kind = s % 3, length = (s % 3) + (s % 2) (0…3 events), E starts at kind and counts up.
    static func data(subjects: Int) throws -> SequenceData {
        var codes: [Int32] = [], start = [0], context: [Int32] = []
        for s in 0..<subjects {
            let kind = s % 3, length = kind + s % 2
            context.append(Int32(kind))
            for i in 0...length {
                let isEnd = i == length
                codes += isEnd ? [0, 0, 0, 0] : [Int32(i), Int32(length), Int32(length - i), Int32((kind + i) % 4)]
            }
            start.append(start.last! + length + 1)
        }
        return try SequenceData(subColumnCount: 4, codes: codes, start: start, contextSubColumnCount: 1, contextCodes: context)
    }

    @Test func architectureResolvesValidatesAndRoundTrips() throws {
        let architecture = SequentialModelArchitecture.resolve(target: Self.target, positional: Self.positional, context: Self.context,
                                                              medianLength: 2, size: .medium)
        try architecture.validate()
        #expect(architecture.contextWidth == 8 * SizeHeuristics.c(3))
        #expect(architecture.historyWidth == 64 * SizeHeuristics.c((6 + 6 + 6 + 4) * 2))
        #expect(architecture.historyExcluded == [1, 2])
        let decoded = try JSONDecoder().decode(SequentialModelArchitecture.self, from: JSONEncoder().encode(architecture))
        #expect(decoded == architecture)
        var broken = architecture
        broken.positional.ridx = [3]
        #expect(throws: ModelError.self) { try broken.validate() }
        broken = architecture
        broken.historyWidth = 0
        #expect(throws: ModelError.self) { try broken.validate() }
        let keyOnly = SequentialModelArchitecture.resolve(target: Self.target, positional: Self.positional, context: nil, medianLength: 2, size: .small)
        #expect(keyOnly.contextWidth == 0 && keyOnly.context.isEmpty)
        try keyOnly.validate()
    }

    @Test func batchesCarryTheReferenceLossMasks() throws {
        let data = try Self.data(subjects: 4)   // lengths 0, 2, 2, 1
        var random = SeededRandom(seed: 1)
        let batch = SequenceBatch.make(from: data, subjects: [1, 0, 3], maxSteps: 10, positional: Self.positional, columns: 2, random: &random)
        #expect(batch.steps == 3 && batch.subjects == 3)
        // Longest sequence first: subjects 1, 3, 0; live rows per step 3, 2 (1 and 3), 1 (1).
        #expect(batch.live == [3, 2, 1])
        func weights(_ t: Int, _ b: Int) -> [Float] { Array(batch.lossWeights[((t * 3 + b) * 4)..<((t * 3 + b) * 4 + 4)]) }
        // Subject 1 (2 events): SLEN only at t 0, RIDX on events and the end row, E on events, SIDX never.
        #expect(weights(0, 0) == [0, 1, 1, 1])
        #expect(weights(1, 0) == [0, 0, 1, 1])
        #expect(weights(2, 0) == [0, 0, 1, 0])
        // Subject 3 (one event): the event at t 0, its end row at t 1.
        #expect(weights(0, 1) == [0, 1, 1, 1])
        #expect(weights(1, 1) == [0, 0, 1, 0] && weights(2, 1) == [0, 0, 0, 0])
        // Subject 0 (no events): its end row at t 0 teaches length 0; nothing after it.
        #expect(weights(0, 2) == [0, 1, 1, 0])
        #expect(weights(1, 2) == [0, 0, 0, 0] && weights(2, 2) == [0, 0, 0, 0])
        #expect(Array(batch.codes[((1 * 3 + 0) * 4)..<((1 * 3 + 0) * 4 + 4)]) == [1, 2, 1, 2])
        #expect(batch.contextCodes == [1, 0, 0])
        // The positional column is first in every live row's order.
        for t in 0..<batch.steps {
            for b in 0..<batch.live[t] { #expect(batch.ranks[(t * 3 + b) * 2] == 0 && batch.ranks[(t * 3 + b) * 2 + 1] == 1) }
        }
        // A window shorter than the longest sequence cuts it.
        let cut = SequenceBatch.make(from: data, subjects: [1], maxSteps: 2, positional: Self.positional, columns: 2, random: &random)
        #expect(cut.steps == 2)
    }

    @Test func malformedSequenceDataIsRefused() {
        #expect(throws: ModelError.self) { try SequenceData(subColumnCount: 2, codes: [0, 0], start: [0, 0], contextSubColumnCount: 0, contextCodes: []) }
        #expect(throws: ModelError.self) { try SequenceData(subColumnCount: 2, codes: [0, 0, 0], start: [0, 1], contextSubColumnCount: 0, contextCodes: []) }
        #expect(throws: ModelError.self) { try SequenceData(subColumnCount: 2, codes: [0, 0], start: [0, 1], contextSubColumnCount: 1, contextCodes: []) }
    }

    /// Lengths and events are deterministic given the context and the history: a short run must
    /// bring the per-sequence loss far below its start, and the same seed gives the same weights.
    @Test func shortTrainingLearnsLengthsAndEvents() throws {
        let data = try Self.data(subjects: 60)
        let architecture = SequentialModelArchitecture.resolve(target: Self.target, positional: Self.positional, context: Self.context,
                                                              medianLength: 2, size: .small)
        func train(seed: UInt64, steps: Int) throws -> (before: Double, after: Double, model: SequentialModel) {
            var model = SequentialModel(architecture: architecture, seed: seed)
            var random = SeededRandom(seed: 9)
            let all = SequenceBatch.make(from: data, subjects: Array(0..<60), maxSteps: 10, positional: Self.positional, columns: 2,
                                         random: &random)
            let before = try model.loss(all).reduce(0, +)
            var optimizer = AdamW(store: model.store, learningRate: 0.02)
            for step in 0..<steps {
                let subjects = (0..<20).map { (step * 20 + $0) % 60 }
                let batch = SequenceBatch.make(from: data, subjects: subjects, maxSteps: 10, positional: Self.positional, columns: 2,
                                               random: &random)
                model.zeroGradients()
                _ = try model.accumulateGradients(batch, dropoutSeed: UInt64(step))
                model.applyGradients(&optimizer)
            }
            return (before, try model.loss(all).reduce(0, +), model)
        }
        let a = try train(seed: 3, steps: 50)
        #expect(a.after < 0.25 * a.before, "per-sequence loss \(a.before) → \(a.after)")
        let b = try train(seed: 3, steps: 3), c = try train(seed: 3, steps: 3)
        #expect(b.model.store.values == c.model.store.values)
    }

    /// The model of a 100-step run without dropout on 60 generated subjects (shared by the generation tests).
    static let trained: SequentialModel = {
        let data = try! Self.data(subjects: 60)
        let architecture = SequentialModelArchitecture.resolve(target: Self.target, positional: Self.positional, context: Self.context,
                                                              medianLength: 2, size: .small)
        var model = SequentialModel(architecture: architecture, seed: 3)
        var random = SeededRandom(seed: 9)
        var optimizer = AdamW(store: model.store, learningRate: 0.02)
        for step in 0..<100 {
            let subjects = (0..<20).map { (step * 20 + $0) % 60 }
            let batch = SequenceBatch.make(from: data, subjects: subjects, maxSteps: 10, positional: Self.positional, columns: 2, random: &random)
            model.zeroGradients()
            _ = try! model.accumulateGradients(batch, dropoutSeed: nil)
            model.applyGradients(&optimizer)
        }
        return model
    }()

    /// 300 subjects, 100 of each kind.
    static let contexts: [Int32] = (0..<300).map { Int32($0 % 3) }

    @Test func generatedSequencesKeepLengthsAndEvents() throws {
        var options = SamplingOptions(seed: 5)
        options.workers = 1
        let generated = try SequentialSampler.generate(model: Self.trained, subjects: 300, contextCodes: Self.contexts, maxLength: 5,
                                                       options: options)
        #expect(generated.subjectCount == 300 && generated.contextCodes == Self.contexts)
        var lengthsByKind = [[Int]](repeating: [], count: 3)
        var rightEvents = 0, events = 0
        let codes = generated.allCodes
        for s in 0..<300 {
            let kind = s % 3, length = generated.length(s)
            lengthsByKind[kind].append(length)
            for i in 0..<length {
                let row = generated.start[s] + i
                events += 1
                if codes[row * 4 + 3] == Int32((kind + i) % 4) { rightEvents += 1 }
                #expect(codes[row * 4] == Int32(i))   // SIDX is the step
            }
            // The end row is all zeros.
            #expect(codes[(generated.start[s + 1] - 1) * 4 ..< generated.start[s + 1] * 4].allSatisfy { $0 == 0 })
        }
        #expect(Double(rightEvents) >= 0.9 * Double(events), "\(rightEvents) of \(events) events follow the rule")
        // Training lengths given kind k: k or k + 1, half each (0 or 1 for kind 0: zero-length and one-event sequences).
        for kind in 0..<3 {
            let inRange = lengthsByKind[kind].filter { $0 == kind || $0 == kind + 1 }.count
            #expect(inRange >= 85, "kind \(kind): lengths \(lengthsByKind[kind])")
            let longer = Double(lengthsByKind[kind].filter { $0 == kind + 1 }.count) / 100
            #expect(longer > 0.3 && longer < 0.7, "kind \(kind): share of the longer length \(longer)")
        }
        #expect(lengthsByKind[0].contains(0) && lengthsByKind[0].contains(1))
    }

    @Test func sameSeedSameSequencesWhateverTheThreadsAndMaximumLengthHonoured() throws {
        var one = SamplingOptions(seed: 8), two = SamplingOptions(seed: 8), other = SamplingOptions(seed: 9)
        one.workers = 1; two.workers = 2; other.workers = 2
        one.batchSize = 64; two.batchSize = 64; other.batchSize = 64
        let a = try SequentialSampler.generate(model: Self.trained, subjects: 300, contextCodes: Self.contexts, maxLength: 5, options: one)
        let b = try SequentialSampler.generate(model: Self.trained, subjects: 300, contextCodes: Self.contexts, maxLength: 5, options: two)
        let c = try SequentialSampler.generate(model: Self.trained, subjects: 300, contextCodes: Self.contexts, maxLength: 5, options: other)
        #expect(a.allCodes == b.allCodes && a.start == b.start)
        #expect(a.allCodes != c.allCodes)
        let capped = try SequentialSampler.generate(model: Self.trained, subjects: 300, contextCodes: Self.contexts, maxLength: 1, options: one)
        #expect((0..<300).allSatisfy { capped.length($0) <= 1 })
        #expect(throws: ModelError.self) {
            try SequentialSampler.generate(model: Self.trained, subjects: 2, contextCodes: [0, 3], maxLength: 5, options: one)
        }
    }

    /// The in-place code check compares in full width: int8 codes up to 127 fit a cardinality of
    /// 128 (a limit clamped to the stored type would have refused 127), and 128 does not fit 128.
    @Test func codeColumnsCheckTheirRangeInFullWidth() {
        let bytes: [Int8] = [0, 5, 127]
        bytes.withUnsafeBufferPointer { p in
            let column = CodeColumn(p, owner: NSArray())
            #expect(column.firstOutOfRange(cardinality: 128) == nil)
            #expect(column.firstOutOfRange(cardinality: 127) == 2)
            #expect(column[2] == 127)
        }
        let wide: [Int64] = [3, -1]
        wide.withUnsafeBufferPointer { #expect(CodeColumn($0, owner: NSArray()).firstOutOfRange(cardinality: 1 << 40) == 1) }
    }
}
