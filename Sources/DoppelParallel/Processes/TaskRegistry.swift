#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Named tasks that ``Executor/mapTask(_:descriptors:policy:label:as:)`` can run, in this process
/// or in a worker process. An executable registers its tasks at start, before calling
/// ``WorkerProcess/runIfRequested()``, so that its worker processes know the same names.
///
/// A task is a pure function from a small `Codable` descriptor (e.g. a partition file path and a
/// column name) to a small `Codable` result: what crosses the pipe is JSON of these two values.
public enum TaskRegistry {
    private static let tasks = Locked<[String: any RegisteredTask]>([:])

    /// Registers (or replaces) the task `name`.
    public static func register<D: Codable & Sendable, R: Codable & Sendable>(
        _ name: String,
        _ body: @escaping @Sendable (D) throws -> R
    ) {
        tasks.withLock { $0[name] = TypedTask(body: body) }
    }

    /// The names of all registered tasks, sorted.
    public static var registeredNames: [String] { tasks.withLock { $0.keys.sorted() } }

    static func task(named name: String) -> (any RegisteredTask)? { tasks.withLock { $0[name] } }

    /// The registered body of `name`, checked against the types the caller asks for.
    static func typedBody<D: Codable & Sendable, R: Codable & Sendable>(_ name: String) throws -> @Sendable (D) throws -> R {
        guard let task = task(named: name) else { throw ExecutorError.unknownTask(name: name) }
        guard let typed = task as? TypedTask<D, R> else {
            throw ExecutorError.taskTypeMismatch(name: name, registered: task.signature, requested: "(\(D.self)) -> \(R.self)")
        }
        return typed.body
    }
}

/// A registered task with its types erased, runnable on JSON bytes.
protocol RegisteredTask: Sendable {
    var signature: String { get }
    func runEncoded(_ descriptor: [UInt8]) throws -> [UInt8]
}

private struct TypedTask<D: Codable & Sendable, R: Codable & Sendable>: RegisteredTask {
    let body: @Sendable (D) throws -> R

    var signature: String { "(\(D.self)) -> \(R.self)" }

    func runEncoded(_ descriptor: [UInt8]) throws -> [UInt8] {
        let value: D
        do { value = try TaskCoding.decoder().decode(D.self, from: Data(descriptor)) } catch {
            throw BadDescriptor(message: "cannot decode the descriptor as \(D.self): \(error)")
        }
        let result = try body(value)
        return Array(try TaskCoding.encoder().encode(result))
    }
}

/// The JSON settings shared by both ends of the pipe (non-finite numbers survive as strings).
enum TaskCoding {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// The descriptors of a call as JSON; one that does not encode fails the call with its label.
    static func encodeDescriptors<D: Encodable>(_ descriptors: [D], label: (Int) -> String) throws -> [[UInt8]] {
        let encoder = encoder()
        return try descriptors.enumerated().map { index, descriptor in
            do { return Array(try encoder.encode(descriptor)) } catch {
                throw TaskFailure(label: label(index), index: index, underlying: error)
            }
        }
    }

    /// The results of a call from JSON; one that does not decode is a protocol violation of its task.
    static func decodeResults<R: Decodable>(_ results: [[UInt8]], as: R.Type, label: (Int) -> String) throws -> [R] {
        let decoder = decoder()
        return try results.enumerated().map { index, bytes in
            do { return try decoder.decode(R.self, from: Data(bytes)) } catch {
                throw TaskFailure(label: label(index), index: index,
                                  underlying: WorkerProcessError.protocolViolation("cannot decode the result as \(R.self): \(error)"))
            }
        }
    }
}

/// A request whose descriptor does not decode as the registered task's descriptor type.
struct BadDescriptor: Error {
    let message: String
}
