import DoppelNN
import DoppelParallel

/// Forward + backward time of the history LSTM at sequential-model shapes (time-major batches of
/// subjects), reported per batch and as events (steps × subjects) per second on one thread.
func runLSTMBenchmark() {
    print("\nLSTM forward + backward through time, single thread, best of 3, thread CPU time")
    print("  T ×   B ×   I →   H     ms   events/s")
    for (steps, batch, inputs, hidden) in [(30, 128, 150, 384), (30, 128, 150, 128), (30, 512, 150, 128), (100, 64, 60, 64)] {
        var store = ParameterStore()
        let lstm = LSTM(store: &store, name: "history", inputs: inputs, hidden: hidden)
        var rng = SeededRandom(seed: 1)
        store.initialize(using: &rng)
        let x = Tensor(shape: [steps, batch, inputs], storage: random(steps * batch * inputs, seed: 2))
        let dH = Tensor(shape: [steps, batch, hidden], storage: random(steps * batch * hidden, seed: 3))
        let seconds = bestTime(repeats: 3) {
            let (_, cache) = lstm.forward(x, store)
            _ = lstm.backward(x: x, cache: cache, dH: dH, store: &store)
        }
        print(pad(steps, 3), "×", pad(batch, 3), "×", pad(inputs, 3), "→", pad(hidden, 3), pad(Int((seconds * 1000).rounded()), 6),
              pad(Int((Double(steps * batch) / seconds).rounded()), 10))
    }
}
