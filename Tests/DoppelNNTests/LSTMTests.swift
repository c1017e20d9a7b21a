import Foundation
import DoppelParallel
import Testing
@testable import DoppelNN

/// ``LSTM``: forward against a scalar reference written from the equations, backward through time
/// against central finite differences, causality and independence of the batch rows.
@Suite struct LSTMTests {
    static func layer(inputs: Int, hidden: Int, seed: UInt64) -> (LSTM, ParameterStore) {
        var empty = ParameterStore()
        let lstm = LSTM(store: &empty, name: "history", inputs: inputs, hidden: hidden)
        return (lstm, GradientCheck.initialized(empty, seed: seed))
    }

    /// The LSTM equations, one scalar at a time in Float64.
    static func reference(_ lstm: LSTM, _ store: ParameterStore, _ x: Tensor) -> [Double] {
        let T = x.shape[0], B = x.shape[1], I = lstm.inputs, H = lstm.hidden
        let wi = store.tensor(lstm.inputWeight).storage, wh = store.tensor(lstm.hiddenWeight).storage, b = store.tensor(lstm.bias).storage
        func sigmoid(_ z: Double) -> Double { 1 / (1 + Foundation.exp(-z)) }
        var out: [Double] = []
        var h = [Double](repeating: 0, count: B * H), c = h
        for t in 0..<T {
            var nh = h, nc = c
            for r in 0..<B {
                for j in 0..<H {
                    var a = [Double](repeating: 0, count: 4)
                    for gate in 0..<4 {
                        let row = gate * H + j
                        var sum = Double(b[row])
                        for k in 0..<I { sum += Double(wi[row * I + k]) * Double(x.storage[(t * B + r) * I + k]) }
                        for k in 0..<H { sum += Double(wh[row * H + k]) * h[r * H + k] }
                        a[gate] = sum
                    }
                    let cell = sigmoid(a[1]) * c[r * H + j] + sigmoid(a[0]) * Foundation.tanh(a[2])
                    nc[r * H + j] = cell
                    nh[r * H + j] = sigmoid(a[3]) * Foundation.tanh(cell)
                }
            }
            h = nh
            c = nc
            out += h
        }
        return out
    }

    @Test(arguments: [(3, 2), (5, 9)])
    func forwardMatchesTheEquations(inputs: Int, hidden: Int) {
        let (lstm, store) = Self.layer(inputs: inputs, hidden: hidden, seed: 301)
        let x = GradientCheck.randomTensor([4, 3, inputs], seed: 302, scale: 2)
        let (y, _) = lstm.forward(x, store)
        #expect(y.shape == [4, 3, hidden])
        let expected = Self.reference(lstm, store, x)
        for (a, b) in zip(y.storage, expected) { #expect(abs(Double(a) - b) < 2e-6) }
    }

    @Test(arguments: [(3, 2), (5, 9)])
    func backwardThroughTimeMatchesFiniteDifferences(inputs: Int, hidden: Int) {
        let (lstm, initial) = Self.layer(inputs: inputs, hidden: hidden, seed: 311)
        var store = initial
        let x = GradientCheck.randomTensor([5, 3, inputs], seed: 312)
        let (r, dH) = GradientCheck.randomProjection(shape: [5, 3, hidden], seed: 313)
        let (_, cache) = lstm.forward(x, store)
        let dX = lstm.backward(x: x, cache: cache, dH: dH, store: &store)
        let loss = { (s: ParameterStore, input: Tensor) in GradientCheck.projection(lstm.forward(input, s).output, r) }
        GradientCheck.expectClose(dX.storage, GradientCheck.numerical(x.storage) { loss(store, Tensor(shape: x.shape, storage: $0)) }, "dx")
        for slice in [lstm.inputWeight, lstm.hiddenWeight, lstm.bias] {
            GradientCheck.expectClose(store.gradient(slice).storage,
                                      GradientCheck.numerical(store.tensor(slice).storage) { loss(GradientCheck.with(store, slice, $0), x) },
                                      slice.name)
        }
    }

    @Test func outputsAreCausalAndRowsIndependent() {
        let (lstm, store) = Self.layer(inputs: 3, hidden: 4, seed: 321)
        let x = GradientCheck.randomTensor([6, 2, 3], seed: 322)
        var later = x, otherRow = x
        later.storage[(4 * 2 + 0) * 3 + 1] += 3       // step 4 of sequence 0
        otherRow.storage[(1 * 2 + 1) * 3 + 0] += 3    // step 1 of sequence 1
        let base = lstm.forward(x, store).output
        let a = lstm.forward(later, store).output, b = lstm.forward(otherRow, store).output
        func at(_ y: Tensor, _ t: Int, _ row: Int) -> ArraySlice<Float> { y.storage[((t * 2 + row) * 4)..<((t * 2 + row) * 4 + 4)] }
        for t in 0..<4 { #expect(at(a, t, 0) == at(base, t, 0)) }   // steps before the change
        #expect(at(a, 4, 0) != at(base, 4, 0))
        for t in 0..<6 { #expect(at(b, t, 0) == at(base, t, 0)) }   // the other sequence
        #expect(at(b, 1, 1) != at(base, 1, 1))
    }

    @Test func stepwiseAdvanceEqualsTheSequencePass() {
        let (lstm, store) = Self.layer(inputs: 3, hidden: 9, seed: 331)
        let x = GradientCheck.randomTensor([4, 2, 3], seed: 332)
        let whole = lstm.forward(x, store).output
        var h = [Float](repeating: 0, count: 2 * 9), c = h
        store.values.withUnsafeBufferPointer { v in
            x.storage.withUnsafeBufferPointer { xp in
                for t in 0..<4 {
                    lstm.advance(x: xp.baseAddress! + t * 2 * 3, batch: 2, values: v.baseAddress!, hidden: &h, cell: &c)
                    for i in 0..<(2 * 9) { #expect(abs(h[i] - whole.storage[t * 18 + i]) < 1e-6) }
                }
            }
        }
    }

    /// Live counts (sequences longest first) skip the padding after each sequence: the live rows'
    /// outputs and all gradients equal those of the full pass whose loss ignores the padding, and
    /// padding rows come out zero.
    @Test func liveCountsSkipPaddingWithTheSameResults() {
        let (lstm, initial) = Self.layer(inputs: 4, hidden: 5, seed: 341)
        let T = 5, B = 3, live = [3, 3, 2, 1, 1]
        let x = GradientCheck.randomTensor([T, B, 4], seed: 342)
        var (_, dH) = GradientCheck.randomProjection(shape: [T, B, 5], seed: 343)
        for t in 0..<T { for b in live[t]..<B { for j in 0..<5 { dH.storage[(t * B + b) * 5 + j] = 0 } } }
        var full = initial, packed = initial
        let (y, fullCache) = lstm.forward(x, full)
        let fullDX = lstm.backward(x: x, cache: fullCache, dH: dH, store: &full)
        var dX = [Float](repeating: .nan, count: T * B * 4)
        let cache = x.storage.withUnsafeBufferPointer { xp in
            packed.values.withUnsafeBufferPointer { lstm.forward(x: xp.baseAddress, steps: T, batch: B, values: $0.baseAddress!, live: live) }
        }
        let out = lstm.output(cache)
        packed.withValuesAndGradients { v, g in
            x.storage.withUnsafeBufferPointer { xp in
                dH.storage.withUnsafeBufferPointer { d in
                    dX.withUnsafeMutableBufferPointer {
                        lstm.backward(x: xp.baseAddress, cache: cache, dH: d.baseAddress!, values: v.baseAddress!, gradients: g.baseAddress!,
                                      dX: $0.baseAddress)
                    }
                }
            }
        }
        for t in 0..<T {
            for b in 0..<B {
                for j in 0..<5 {
                    let i = (t * B + b) * 5
                    if b < live[t] { #expect(abs(out.storage[i + j] - y.storage[i + j]) < 1e-6) } else { #expect(out.storage[i + j] == 0) }
                }
                for k in 0..<4 {
                    let i = (t * B + b) * 4 + k
                    if b < live[t] { #expect(abs(dX[i] - fullDX.storage[i]) < 1e-5) } else { #expect(dX[i] == 0) }
                }
            }
        }
        for (a, b) in zip(packed.gradients, full.gradients) { #expect(abs(a - b) < 1e-5) }
    }

    @Test func emptySequencesGiveEmptyOutputs() {
        let (lstm, initial) = Self.layer(inputs: 2, hidden: 3, seed: 1)
        var store = initial
        let x = Tensor(shape: [0, 4, 2])
        let (y, cache) = lstm.forward(x, store)
        #expect(y.shape == [0, 4, 3])
        #expect(lstm.backward(x: x, cache: cache, dH: Tensor(shape: [0, 4, 3]), store: &store).shape == [0, 4, 2])
        #expect(store.gradients.allSatisfy { $0 == 0 })
    }
}
