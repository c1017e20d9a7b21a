#if canImport(Glibc)
import Glibc
#endif
import DoppelTestSupport
import Foundation
import Synchronization
import Testing
@testable import DoppelParallel

/// A thread-safe counter of executed tasks.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.wrappingAdd(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

/// An error thrown on purpose by test tasks.
struct PlannedFailure: Error, CustomStringConvertible {
    let index: Int
    var description: String { "planned failure at \(index)" }
}

/// The configurations every backend-independent behaviour is checked on.
let everyConfiguration: [ExecutorConfiguration] = [
    ExecutorConfiguration(backend: .sequential),
    ExecutorConfiguration(backend: .threads, jobs: 1),
    ExecutorConfiguration(backend: .threads, jobs: 2),
    ExecutorConfiguration(backend: .threads, jobs: 8),
    ExecutorConfiguration(jobs: 3),
    // Closure tasks run on threads under the processes backend.
    ExecutorConfiguration(backend: .processes, jobs: 2),
]

/// The worker executable built from `Sources/doppel-worker-fixture` (`swift build` builds it).
enum Fixture {
    static let executable: String? = {
        var candidates: [String] = []
        if let testBinary = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: testBinary).deletingLastPathComponent().appendingPathComponent("doppel-worker-fixture").path)
        }
        candidates.append(TestSupport.repositoryRoot.appendingPathComponent(".build/debug/doppel-worker-fixture").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let missingMessage: Comment = "doppel-worker-fixture is not built: run `swift build` first"

    static func configuration(jobs: Int) -> ExecutorConfiguration {
        ExecutorConfiguration(backend: .processes, jobs: jobs, workerExecutable: executable)
    }
}

func currentThread() -> UInt { UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))) }
