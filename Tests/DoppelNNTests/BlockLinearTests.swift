import DoppelParallel
import Testing
@testable import DoppelNN

/// ``BlockLinear``: gradients against finite differences for both block shapes, one head's
/// outputs against the whole layer, and the structural zeros.
@Suite struct BlockLinearTests {
    /// Prefix ranges (a column's first layer: head k reads the first inputs) and a partition
    /// (block-diagonal: each head reads its own block).
    static let shapes: [(name: String, inputs: Int, widths: [Int], ranges: [Range<Int>])] = [
        ("prefix", 7, [3, 2, 4], [0..<4, 0..<5, 0..<7]),
        ("block-diagonal", 7, [2, 3, 1], [0..<2, 2..<6, 6..<7]),
        ("single head", 5, [3], [0..<5]),
    ]

    /// A layer with its structural zeros applied, and the forward pass as a tensor.
    static func layer(_ index: Int, seed: UInt64) -> (BlockLinear, ParameterStore) {
        let shape = shapes[index]
        var empty = ParameterStore()
        let layer = BlockLinear(store: &empty, name: "block", inputs: shape.inputs, outputWidths: shape.widths, inputRanges: shape.ranges)
        var store = GradientCheck.initialized(empty, seed: seed)
        for run in layer.structuralZeros { for i in run { store.values[i] = 0 } }
        return (layer, store)
    }

    static func forward(_ layer: BlockLinear, _ store: ParameterStore, _ x: Tensor) -> Tensor {
        var y = Tensor(shape: [x.rows, layer.outputs])
        store.values.withUnsafeBufferPointer { v in
            x.storage.withUnsafeBufferPointer { xp in
                y.storage.withUnsafeMutableBufferPointer { yp in
                    layer.forward(rows: x.rows, x: xp.baseAddress!, values: v.baseAddress!, y: yp.baseAddress!)
                }
            }
        }
        return y
    }

    @Test(arguments: 0..<3)
    func gradientsMatchFiniteDifferences(shape: Int) {
        let (layer, initial) = Self.layer(shape, seed: 201)
        var store = initial
        let x = GradientCheck.randomTensor([4, layer.inputs], seed: 202)
        let (r, dY) = GradientCheck.randomProjection(shape: [4, layer.outputs], seed: 203)
        var dX = Tensor(shape: [4, layer.inputs], repeating: .nan)  // every element must be written
        store.withValuesAndGradients { v, g in
            x.storage.withUnsafeBufferPointer { xp in
                dY.storage.withUnsafeBufferPointer { dyp in
                    dX.storage.withUnsafeMutableBufferPointer { dxp in
                        layer.backward(rows: 4, x: xp.baseAddress!, dY: dyp.baseAddress!, values: v.baseAddress!,
                                       gradients: g.baseAddress!, dX: dxp.baseAddress!)
                    }
                }
            }
        }
        let loss = { (s: ParameterStore, input: Tensor) in GradientCheck.projection(Self.forward(layer, s, input), r) }
        let name = Self.shapes[shape].name
        GradientCheck.expectClose(dX.storage, GradientCheck.numerical(x.storage) { loss(store, Tensor(shape: x.shape, storage: $0)) },
                                  "\(name) dX")
        for slice in [layer.weight, layer.bias] {
            GradientCheck.expectClose(store.gradient(slice).storage,
                                      GradientCheck.numerical(store.tensor(slice).storage) { loss(GradientCheck.with(store, slice, $0), x) },
                                      "\(name) d\(slice.name)")
        }
    }

    @Test(arguments: 0..<3)
    func oneHeadEqualsItsSliceOfTheLayer(shape: Int) {
        let (layer, store) = Self.layer(shape, seed: 211)
        let x = GradientCheck.randomTensor([5, layer.inputs], seed: 212)
        let whole = Self.forward(layer, store, x)
        for k in layer.outputWidths.indices {
            let width = layer.outputWidths[k], start = layer.blockInputs(k).lowerBound
            var head = [Float](repeating: .nan, count: 5 * width)
            store.values.withUnsafeBufferPointer { v in
                x.storage.withUnsafeBufferPointer { xp in
                    head.withUnsafeMutableBufferPointer { hp in
                        layer.forwardHead(k, rows: 5, x: xp.baseAddress! + start, ldx: layer.inputs, values: v.baseAddress!,
                                          y: hp.baseAddress!, ldy: width)
                    }
                }
            }
            for r in 0..<5 {
                for o in 0..<width { #expect(abs(head[r * width + o] - whole[r, layer.outputOffsets[k] + o]) < 1e-5) }
            }
        }
    }

    @Test func structuralZerosCoverExactlyTheWeightsOutsideEachRange() {
        let (layer, _) = Self.layer(0, seed: 1)
        var forbidden = Set<Int>()
        for run in layer.structuralZeros { forbidden.formUnion(run) }
        for k in layer.outputWidths.indices {
            for o in layer.outputOffsets[k] ..< layer.outputOffsets[k] + layer.outputWidths[k] {
                for i in 0..<layer.inputs {
                    #expect(forbidden.contains(layer.weight.offset + o * layer.inputs + i) == !layer.inputRanges[k].contains(i))
                }
            }
        }
        #expect(!layer.isBlockDiagonal)
        #expect(Self.layer(1, seed: 1).0.isBlockDiagonal)
        #expect(!Self.layer(2, seed: 1).0.isBlockDiagonal)
    }

    @Test func headOutputsDependOnlyOnTheirInputs() {
        // Changing an input outside head k's range leaves head k's outputs unchanged.
        let (layer, store) = Self.layer(0, seed: 221)
        let x = GradientCheck.randomTensor([2, layer.inputs], seed: 222)
        var changed = x
        changed[0, 6] += 5
        let before = Self.forward(layer, store, x), after = Self.forward(layer, store, changed)
        for o in 0..<(layer.outputWidths[0] + layer.outputWidths[1]) { #expect(before[0, o] == after[0, o]) }
        #expect((0..<layer.outputWidths[2]).contains { before[0, 5 + $0] != after[0, 5 + $0] })
    }
}
