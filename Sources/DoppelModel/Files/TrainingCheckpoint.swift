import Foundation
import DoppelNN

/// Everything a training run needs to continue after an interruption, in ONE file
/// (`checkpoint.bin`) written atomically at the end of every epoch, so that the loop state, the
/// weights and the optimiser moments can never disagree after a crash:
///
/// ```
/// "DOPPELCK" | u32 version=1 | u32 CRC-32 of the rest | u64 length of the rest
/// then four sections, each u64 length + bytes:
///   state JSON (TrainingState) | current weights (weights.bin format) | best weights | AdamW state ("DPNA")
/// ```
/// Random streams are derived from (seed, epoch, step), so no generator state is saved.
struct TrainingCheckpoint<Architecture: Codable & Equatable & Sendable> {
    var state: TrainingState<Architecture>
    var weights: [Float]
    var bestWeights: [Float]
    var optimizer: AdamW.State

    static var magic: [UInt8] { Array("DOPPELCK".utf8) }
    static var version: UInt32 { 1 }

    func encode(store: ParameterStore) throws(ModelError) -> [UInt8] {
        var current = store, best = store
        current.values = weights
        best.values = bestWeights
        let json: Data
        do { json = try TrainingStateCoding.encoder.encode(state) } catch { throw .io(path: "checkpoint", reason: "cannot encode state: \(error)") }
        var body: [UInt8] = []
        for section in [[UInt8](json), WeightsFile.encode(current), WeightsFile.encode(best), optimizer.serialized()] {
            body.appendLE(UInt64(section.count))
            body += section
        }
        var bytes = Self.magic
        bytes.appendLE(Self.version)
        bytes.appendLE(CRC32.checksum(body))
        bytes.appendLE(UInt64(body.count))
        return bytes + body
    }

    static func decode(_ bytes: [UInt8], store: ParameterStore, path: String) throws(ModelError) -> TrainingCheckpoint<Architecture> {
        func fail(_ reason: String) -> ModelError { .invalidFile(path: path, reason: reason) }
        guard bytes.count >= 24, Array(bytes[0..<8]) == magic else { throw fail("not a Doppel training checkpoint") }
        guard bytes.readLE(UInt32.self, at: 8) == version else { throw fail("unsupported checkpoint version") }
        let length = bytes.readLE(UInt64.self, at: 16)
        guard length == UInt64(bytes.count - 24) else { throw fail("truncated checkpoint") }
        let body = Array(bytes[24...])
        guard CRC32.checksum(body) == bytes.readLE(UInt32.self, at: 12) else { throw fail("corrupt checkpoint (checksum mismatch)") }
        var sections: [[UInt8]] = []
        var offset = 0
        for _ in 0..<4 {
            guard offset + 8 <= body.count else { throw fail("truncated checkpoint section") }
            let n = body.readLE(UInt64.self, at: offset)
            offset += 8
            guard n <= UInt64(body.count - offset) else { throw fail("truncated checkpoint section") }
            sections.append(Array(body[offset ..< offset + Int(n)]))
            offset += Int(n)
        }
        let state: TrainingState<Architecture>
        do { state = try TrainingStateCoding.decoder.decode(TrainingState<Architecture>.self, from: Data(sections[0])) } catch {
            throw fail("unreadable training state: \(error)")
        }
        let weights = try WeightsFile.decode(sections[1], for: store, path: path)
        let best = try WeightsFile.decode(sections[2], for: store, path: path)
        let optimizer: AdamW.State
        do { optimizer = try AdamW.State(serialized: sections[3]) } catch { throw fail("optimiser state: \(error)") }
        guard optimizer.firstMoment.count == store.count else { throw fail("optimiser state for another model") }
        return TrainingCheckpoint(state: state, weights: weights, bestWeights: best, optimizer: optimizer)
    }
}

/// The training loop's state at the end of an epoch, with the architecture of the model it trains.
struct TrainingState<Architecture: Codable & Equatable & Sendable>: Codable, Sendable {
    var architecture: Architecture
    var batchSize: Int
    var initialLearningRate: Float
    var seed: UInt64
    var shards: Int
    var epoch: Int
    var steps: Int
    var samples: Int
    var elapsedSeconds: Double
    var scheduler: ReduceLROnPlateau
    var bestLoss: Double?
    var bestEpoch: Int
    var badEpochs: Int
    var history: [ProgressRow]
    /// DP-SGD's accountant (`nil` without privacy).
    var accountant: RDPAccountant? = nil
}

/// JSON coding of ``TrainingState`` (non-finite losses as strings).
enum TrainingStateCoding {
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
