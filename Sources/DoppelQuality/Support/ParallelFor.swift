import Dispatch

/// Runs `body(i)` for `i` in `0..<count` on all cores and returns the results in index order.
///
/// A tiny stand-in for the project's shared executor: `DispatchQueue.concurrentPerform` with
/// one slot per index, written by exactly one worker, so the result is deterministic whatever
/// the scheduling.
func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    if count == 1 { return [body(0)] }
    let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    slots.initialize(repeating: nil)
    defer {
        _ = slots.deinitialize()
        slots.deallocate()
    }
    let box = SlotBox(slots)
    DispatchQueue.concurrentPerform(iterations: count) { i in
        box.slots[i] = body(i)
    }
    return slots.map { $0! }
}

/// Runs `body(i)` for `i` in `0..<count` on all cores.
func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
    guard count > 0 else { return }
    if count == 1 { body(0); return }
    DispatchQueue.concurrentPerform(iterations: count, execute: body)
}

/// Hands a buffer whose slots are written by distinct workers across the concurrency boundary.
struct SlotBox<T>: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<T>
    init(_ slots: UnsafeMutableBufferPointer<T>) { self.slots = slots }
}
