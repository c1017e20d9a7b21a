/// A value behind a pthread mutex.
///
/// Used instead of `Synchronization.Mutex`, whose futex-based lock ThreadSanitizer cannot see
/// (it then reports false races on everything the lock protects); pthread mutexes it understands.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = ConditionLock()
    private var value: Value  // guarded by `lock`

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
