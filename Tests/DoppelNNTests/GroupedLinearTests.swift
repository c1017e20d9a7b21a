import DoppelParallel
import Testing
@testable import DoppelNN

@Suite struct GroupedLinearTests {
    static let (groups, outputs, rows) = (3, 2, 5)

    /// Head `g`'s output computed independently: `x_g·W_gᵀ + b_g` with the naive kernel.
    static func referenceForward(_ layer: GroupedLinear, _ store: ParameterStore, _ x: Tensor, mask: Tensor?) -> Tensor {
        let (g, i, o) = (layer.groups, layer.inputs, layer.outputs)
        var y = Tensor.zeros(x.rows, g * o)
        let w = store.tensor(layer.weight).storage, b = store.tensor(layer.bias!).storage
        for head in 0..<g {
            var xg = Tensor.zeros(x.rows, i)
            for r in 0..<x.rows {
                for k in 0..<i {
                    let value = layer.layout == .shared ? x[r, k] : x[r, head * i + k]
                    xg[r, k] = value * (mask?.storage[head * i + k] ?? 1)
                }
            }
            let wg = Tensor(shape: [o, i], storage: Array(w[head * o * i ..< (head + 1) * o * i]))
            let yg = MatMul.naiveMatmul(xg, wg, transposeB: true)
            for r in 0..<x.rows { for k in 0..<o { y[r, head * o + k] = yg[r, k] + b[head * o + k] } }
        }
        return y
    }

    /// (layout, masked, direct kernel limit): covers the packed shared GEMM with and without
    /// masks, and the per-head layout through both the per-head sgemm and the direct kernel.
    /// The last cases have 11 inputs so the direct kernel's SIMD8 paths and their tails run, and
    /// 9 outputs so its transposed-weights form runs too (outputs < 8 use dot products).
    static let cases: [(GroupedLinear.InputLayout, Bool, Int, Int)] = [
        (.shared, false, 64, 4), (.shared, true, 64, 4), (.perHead, false, 0, 4), (.perHead, false, 1_000, 4),
        (.perHead, false, 1_000, 11), (.perHead, false, 1_000, -11),
    ]

    @Test(arguments: cases)
    func forwardMatchesIndependentHeadsAndGradientsMatchFiniteDifferences(layout: GroupedLinear.InputLayout, masked: Bool,
                                                                          directLimit: Int, inputs: Int) {
        // A negative `inputs` selects the wide-output variant of the case (9 outputs).
        let (g, i, o, b) = (Self.groups, abs(inputs), inputs < 0 ? 9 : Self.outputs, Self.rows)
        var empty = ParameterStore()
        var layer = GroupedLinear(store: &empty, name: "heads", groups: g, inputs: i, outputs: o, layout: layout)
        layer.directKernelLimit = directLimit
        var store = GradientCheck.initialized(empty, seed: 61)
        let x = GradientCheck.randomTensor([b, layer.inputWidth], seed: 62)
        // Head 0 sees nothing, head 1 the first two features, head 2 all but the last.
        let mask: Tensor? = masked ? Tensor(shape: [g, i], storage: [0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0]) : nil

        let y = layer.forward(x, store, inputMask: mask)
        #expect(y.shape == [b, g * o])
        #expect(y.maxAbsDifference(Self.referenceForward(layer, store, x, mask: mask)) < 1e-5)

        let (r, dY) = GradientCheck.randomProjection(shape: [b, g * o], seed: 63)
        let dX = layer.backward(x: x, dY: dY, store: &store, inputMask: mask)!
        let loss = { (s: ParameterStore, input: Tensor) in GradientCheck.projection(layer.forward(input, s, inputMask: mask), r) }
        GradientCheck.expectClose(dX.storage, GradientCheck.numerical(x.storage) { loss(store, Tensor(shape: x.shape, storage: $0)) }, "dX")
        let w = layer.weight, bias = layer.bias!
        GradientCheck.expectClose(store.gradient(w).storage,
                                  GradientCheck.numerical(store.tensor(w).storage) { loss(GradientCheck.with(store, w, $0), x) }, "dW")
        GradientCheck.expectClose(store.gradient(bias).storage,
                                  GradientCheck.numerical(store.tensor(bias).storage) { loss(GradientCheck.with(store, bias, $0), x) }, "db")
        if masked {
            // Masked-out inputs give exactly zero weight gradients (head 0 entirely).
            #expect(store.gradient(w).storage[0 ..< o * i].allSatisfy { $0 == 0 })
        }
    }

    @Test func sharedLayoutEqualsSeparateLinearLayers() {
        // G heads on a shared input = one Linear with G·outputs units whose rows are the heads.
        var empty = ParameterStore()
        let grouped = GroupedLinear(store: &empty, name: "g", groups: 4, inputs: 3, outputs: 2, layout: .shared)
        let store = GradientCheck.initialized(empty, seed: 71)
        var single = ParameterStore()
        let linear = Linear(store: &single, name: "l", inputs: 3, outputs: 8)
        single.setValues(linear.weight, store.tensor(grouped.weight).storage)
        single.setValues(linear.bias!, store.tensor(grouped.bias!).storage)
        let x = GradientCheck.randomTensor([6, 3], seed: 72)
        #expect(grouped.forward(x, store) == linear.forward(x, single))
    }
}
