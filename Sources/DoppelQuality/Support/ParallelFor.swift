import DoppelParallel

/// Runs `body(i)` for `i` in `0..<count` in parallel and returns the results in index order.
/// DoppelQuality's parallel loops run on the thread's default ``Executor`` (all cores, or the
/// `--backend` / `--jobs` of `doppel evaluate` through ``Executor/withDefault(_:_:)``); results
/// come in index order, so they never depend on scheduling.
func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    Executor.current.map(count, body)
}

/// Runs `body(i)` for `i` in `0..<count` in parallel.
func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
    _ = parallelMap(count, body)
}

/// Hands a buffer whose slots are written by distinct tasks across the concurrency boundary.
struct SlotBox<T>: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<T>
    init(_ slots: UnsafeMutableBufferPointer<T>) { self.slots = slots }
}
