import DoppelParallel
import DoppelTestSupport
import Foundation
import Testing

/// `doppel log-prob` and `doppel predict` on a sequential workspace (the `doppel` executable;
/// skipped when it has not been built). Known distribution: a subject's `kind` (a or b) sets its
/// `tier` (hi for a, lo for b, 90 % of the time) and every event's `x` (u for a, v for b, 90 %);
/// 2 to 6 events per subject.
@Suite(.enabled(if: TestSupport.builtProduct("doppel") != nil)) struct SequentialScoringTests {
    let doppel = TestSupport.builtProduct("doppel") ?? ""

    struct Subjects {
        var context: [[String]]  // id, kind, tier
        var events: [[String]]   // subject, x, y
    }

    static func known(subjects: Int, seed: UInt64) -> Subjects {
        var random = SeededRandom(seed: seed)
        var context: [[String]] = [], events: [[String]] = []
        for id in 1...subjects {
            let a = random.nextDouble() < 0.5
            let tier = (random.nextDouble() < 0.9) == a ? "hi" : "lo"
            context.append(["\(id)", a ? "a" : "b", tier])
            for _ in 0..<(2 + random.uniform(below: 5)) {
                let x = (random.nextDouble() < 0.9) == a ? "u" : "v"
                events.append(["\(id)", x, "\(random.uniform(below: 10))"])
            }
        }
        return Subjects(context: context, events: events)
    }

    func write(_ rows: [[String]], header: String, _ name: String, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try (([header] + rows.map { $0.joined(separator: ",") }).joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// A trained sequential workspace of 600 known subjects.
    static let trained = Result { () throws -> String in
        let doppel = TestSupport.builtProduct("doppel") ?? ""
        let folder = try TestSupport.temporaryDirectory("seq-score")
        let data = known(subjects: 600, seed: 1)
        let test = SequentialScoringTests()
        let subjects = try test.write(data.context, header: "id,kind,tier", "subjects.csv", in: folder)
        let events = try test.write(data.events, header: "subject,x,y", "events.csv", in: folder)
        let ws = folder.appendingPathComponent("ws").path
        for arguments in [["split", "--data", events, "--context", subjects, "--context-key", "subject", "--context-primary-key", "id",
                           "--workspace", ws, "--seed", "2", "--quiet"],
                          ["analyze", "--workspace", ws, "--quiet"], ["encode", "--workspace", ws, "--quiet"],
                          ["train", "--workspace", ws, "--model", "S", "--max-epochs", "10", "--seed", "3", "--quiet"]] {
            let result = try TestSupport.run(doppel, arguments)
            guard result.status == 0 else { throw DistributedError.unsupported("\(arguments[0]): \(result.output)") }
        }
        return ws
    }

    func scores(_ data: Subjects, label: String) throws -> [String: (context: Double, sequence: Double, total: Double)] {
        let folder = try TestSupport.temporaryDirectory("seq-score-\(label)")
        let subjects = try write(data.context, header: "id,kind,tier", "subjects.csv", in: folder)
        let events = try write(data.events, header: "subject,x,y", "events.csv", in: folder)
        let output = folder.appendingPathComponent("scores.csv").path
        let result = try TestSupport.run(doppel, ["log-prob", "--workspace", try Self.trained.get(), "--data", events, "--context", subjects,
                                                  "--output", output, "--quiet"])
        #expect(result.status == 0, "\(result.output)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "id,log_prob_context,log_prob_sequence,log_prob")
        var out: [String: (Double, Double, Double)] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: ",")
            out[String(f[0])] = (Double(f[1])!, Double(f[2])!, Double(f[3])!)
        }
        return out
    }

    @Test func realSequencesScoreHigherThanEventsOfOtherSubjects() throws {
        let data = Self.known(subjects: 300, seed: 9)
        let real = try scores(data, label: "real")
        #expect(real.count == 300)
        for (_, s) in real { #expect(abs(s.context + s.sequence - s.total) < 1e-9 && s.sequence < 0 && s.context < 0) }
        // The same events, each subject's x values swapped u ↔ v: unlikely given the kinds.
        var swapped = data
        swapped.events = data.events.map { [$0[0], $0[1] == "u" ? "v" : "u", $0[2]] }
        let fake = try scores(swapped, label: "swapped")
        let meanReal = real.values.map(\.sequence).reduce(0, +) / 300, meanFake = fake.values.map(\.sequence).reduce(0, +) / 300
        #expect(meanReal > meanFake + 1, "mean log p(sequence | context) \(meanReal), with x swapped \(meanFake)")
        // A subject's score does not depend on where its rows are in the files (its events keep
        // their order among themselves: that order is the sequence).
        var reordered = data
        reordered.context.reverse()
        let bySubject = Dictionary(grouping: data.events, by: { $0[0] })
        reordered.events = reordered.context.flatMap { bySubject[$0[0]] ?? [] }
        let again = try scores(reordered, label: "reordered")
        for (id, s) in real {
            let t = try #require(again[id])
            #expect(abs(s.context - t.context) < 1e-9, "context of \(id)")
            #expect(abs(s.sequence - t.sequence) < 1e-6 * max(1, abs(s.sequence)), "sequence of \(id): \(s.sequence) vs \(t.sequence)")
        }
    }

    @Test func predictsAContextColumnFromTheOthers() throws {
        let data = Self.known(subjects: 400, seed: 11)
        let folder = try TestSupport.temporaryDirectory("seq-predict")
        let subjects = try write(data.context.map { [$0[0], $0[2]] }, header: "id,tier", "subjects.csv", in: folder)
        let output = folder.appendingPathComponent("kind.csv").path
        let result = try TestSupport.run(doppel, ["predict", "--workspace", try Self.trained.get(), "--data", subjects, "--target", "kind",
                                                  "--output", output, "--quiet"])
        #expect(result.status == 0, "\(result.output)")
        let predicted = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").dropFirst().map(String.init)
        let truth = data.context.map { $0[1] }
        let accuracy = Double(zip(predicted, truth).filter { $0.0 == $0.1 }.count) / Double(truth.count)
        #expect(accuracy >= 0.95 * 0.9, "accuracy \(accuracy) of kind from tier; Bayes 0.9")
    }
}
