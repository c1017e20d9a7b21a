/// One slot per task for its result, written without locks.
///
/// Safe to share (hence `@unchecked Sendable`) because of the rule it relies on: slot `i` is
/// written only by the worker that claimed task `i`, and read only after every task finished
/// (the job's completion counter orders those writes before the read).
final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T?>
    let count: Int

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: nil, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always) func store(_ value: T, at index: Int) { base[index] = value }

    /// All results in task order; `nil` if a slot is empty (a cancelled task).
    func collect() -> [T]? {
        var out: [T] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            guard let value = base[i] else { return nil }
            out.append(value)
        }
        return out
    }
}
