import DoppelParallel

/// A named, shaped range of the flat parameter buffer of a ``ParameterStore``.
public struct ParameterSlice: Sendable, Hashable, Codable {
    /// Unique name, e.g. `"head.3.weight"`.
    public let name: String
    /// Shape of the parameter (row-major inside its range).
    public let shape: [Int]
    /// Index of the first element in ``ParameterStore/values`` and ``ParameterStore/gradients``.
    public let offset: Int
    /// `false` for frozen parameters: optimisers skip them (like `requires_grad = False`).
    public let trainable: Bool

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// `offset ..< offset + count`.
    public var range: Range<Int> { offset ..< offset + count }
}

/// Every parameter of a model in ONE contiguous Float32 buffer, with gradients in a second buffer
/// of the same layout (the llm.c habit).
///
/// Layers keep ``ParameterSlice`` descriptors, never their own arrays, so that saving, loading,
/// zeroing gradients, clipping and the optimiser step are single loops over flat arrays:
///
/// ```swift
/// var store = ParameterStore()
/// let layer = Linear(store: &store, name: "fc1", inputs: 64, outputs: 16)
/// var rng = SeededRandom(seed: 42)
/// store.initialize(using: &rng)  // PyTorch-default initialisation of every slice
/// ```
public struct ParameterStore: Sendable {
    /// All parameter values, slice after slice in allocation order.
    public var values: [Float] = []
    /// Gradients, same layout as ``values``; backward passes ACCUMULATE into it.
    public var gradients: [Float] = []
    /// Slices in allocation order.
    public private(set) var slices: [ParameterSlice] = []
    /// How each slice is initialised by ``initialize(using:)``, parallel to ``slices``.
    public private(set) var initializers: [Initializer] = []
    private var indexByName: [String: Int] = [:]

    /// Whether ``allocate(_:shape:initializer:trainable:)`` only records slices (no memory).
    public let isLayoutOnly: Bool

    public init() { isLayoutOnly = false }

    /// A store that records the layout of what is allocated in it but holds no values: building
    /// a network on it counts the parameters before any memory is committed to them.
    public static func layoutOnly() -> ParameterStore { ParameterStore(layoutOnly: true) }

    private init(layoutOnly: Bool) { isLayoutOnly = layoutOnly }

    /// Total number of scalar parameters.
    public var count: Int { slices.last.map { $0.offset + $0.count } ?? 0 }

    /// Appends a zero-filled parameter of `shape` and returns its slice.
    /// - Precondition: `name` is not used yet.
    public mutating func allocate(_ name: String, shape: [Int], initializer: Initializer, trainable: Bool = true) -> ParameterSlice {
        precondition(indexByName[name] == nil, "parameter \(name) allocated twice")
        let slice = ParameterSlice(name: name, shape: shape, offset: count, trainable: trainable)
        if !isLayoutOnly {
            values.append(contentsOf: repeatElement(0, count: slice.count))
            gradients.append(contentsOf: repeatElement(0, count: slice.count))
        }
        indexByName[name] = slices.count
        slices.append(slice)
        initializers.append(initializer)
        return slice
    }

    /// The slice called `name`, if any.
    public func slice(named name: String) -> ParameterSlice? { indexByName[name].map { slices[$0] } }

    /// Initialises every slice in allocation order from ONE generator stream per slice,
    /// `SeededRandom.stream(seed:[sliceIndex])` of a seed drawn from `random`, so adding a layer
    /// at the end never changes the values of the layers before it.
    public mutating func initialize(using random: inout SeededRandom) {
        let seed = random.next()
        for (i, slice) in slices.enumerated() {
            var stream = SeededRandom.stream(seed: seed, [UInt64(i)])
            let init_ = initializers[i]
            values.withUnsafeMutableBufferPointer { all in
                init_.fill(UnsafeMutableBufferPointer(rebasing: all[slice.range]), random: &stream)
            }
        }
    }

    /// Sets every gradient to zero.
    public mutating func zeroGradients() {
        gradients.withUnsafeMutableBufferPointer { g in _ = g.initialize(from: repeatElement(0, count: g.count)) }
    }

    /// The values of `slice` as a tensor (a copy).
    public func tensor(_ slice: ParameterSlice) -> Tensor { Tensor(shape: slice.shape, storage: Array(values[slice.range])) }
    /// The gradient of `slice` as a tensor (a copy).
    public func gradient(_ slice: ParameterSlice) -> Tensor { Tensor(shape: slice.shape, storage: Array(gradients[slice.range])) }

    /// Overwrites the values of `slice` (e.g. a predictor bias set from code frequencies).
    /// - Precondition: `newValues.count == slice.count`.
    public mutating func setValues(_ slice: ParameterSlice, _ newValues: [Float]) {
        precondition(newValues.count == slice.count, "\(slice.name): \(newValues.count) values for \(slice.count) parameters")
        values.replaceSubrange(slice.range, with: newValues)
    }
}

extension ParameterStore {
    /// Calls `body` with read access to ``values`` and write access to ``gradients`` at once
    /// (what every backward pass needs).
    public mutating func withValuesAndGradients<R>(
        _ body: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try values.withUnsafeBufferPointer { v in
            try gradients.withUnsafeMutableBufferPointer { g in try body(v, g) }
        }
    }
}

extension ParameterStore {
    /// `gradients += other.gradients`, for data-parallel steps: each worker runs its share of the
    /// batch on its own copy of the store (values are shared copy-on-write; only the gradient
    /// buffer is copied), and the copies' gradients are summed in a fixed worker order so the
    /// result does not depend on scheduling.
    /// - Precondition: `other` has the same layout.
    public mutating func addGradients(of other: ParameterStore) {
        precondition(other.slices == slices, "gradients from a store with another layout")
        gradients.withUnsafeMutableBufferPointer { g in
            other.gradients.withUnsafeBufferPointer { o in
                for i in g.indices { g[i] += o[i] }
            }
        }
    }
}
