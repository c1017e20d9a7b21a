/// One slot per task for its result, written without locks.
///
/// Safe to share (hence `@unchecked Sendable`) because of the rule it relies on: slot `i` is
/// written only by the worker that claimed task `i`, and read only after every task finished
/// (the job's completion counter orders those writes before the read). Slots are plain `T`
/// storage plus a filled flag, not `T?`: unspecialised generic code would look up `Optional<T>`'s
/// metadata on every store.
final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let values: UnsafeMutablePointer<T>
    private let filled: UnsafeMutablePointer<Bool>
    let count: Int

    init(count: Int) {
        self.count = count
        values = .allocate(capacity: count)
        filled = .allocate(capacity: count)
        filled.initialize(repeating: false, count: count)
    }

    deinit {
        for i in 0..<count where filled[i] { (values + i).deinitialize(count: 1) }
        values.deallocate()
        filled.deallocate()
    }

    @inline(__always) func store(_ value: T, at index: Int) {
        (values + index).initialize(to: value)
        filled[index] = true
    }

    /// All results in task order (moved out of the slots); `nil` if a slot is empty (a cancelled task).
    func collect() -> [T]? {
        for i in 0..<count where !filled[i] { return nil }
        let out = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: values, count: count)
            initialized = count
        }
        filled.update(repeating: false, count: count)
        return out
    }
}
