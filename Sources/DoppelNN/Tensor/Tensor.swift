/// A dense Float32 tensor: a flat row-major buffer plus a shape.
///
/// The last dimension varies fastest: element `[i, j]` of a `[rows, columns]` tensor is
/// `storage[i * columns + j]`. A `Tensor` is a value type (copy-on-write through `[Float]`), so
/// layers return new tensors and never alias their inputs.
public struct Tensor: Sendable, Equatable {
    /// Extent of each dimension; empty for a scalar.
    public private(set) var shape: [Int]
    /// `shape.reduce(1, *)` elements, row-major.
    public var storage: [Float]

    /// A tensor over `storage` with `shape`.
    /// - Precondition: `storage.count == shape.reduce(1, *)` and no extent is negative.
    public init(shape: [Int], storage: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(storage.count == shape.reduce(1, *),
                     "storage has \(storage.count) elements, shape \(shape) needs \(shape.reduce(1, *))")
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        self.shape = shape
        self.storage = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A `[rows, columns]` matrix of zeros.
    public static func zeros(_ rows: Int, _ columns: Int) -> Tensor { Tensor(shape: [rows, columns]) }

    /// A `[rows, columns]` matrix whose elements are NOT initialised, for outputs that a kernel
    /// overwrites completely (saves a memset of every activation buffer per step).
    static func uninitializedMatrix(_ rows: Int, _ columns: Int) -> Tensor {
        let count = rows * columns
        return Tensor(shape: [rows, columns], storage: [Float](unsafeUninitializedCapacity: count) { _, initialized in
            initialized = count
        })
    }

    /// Number of elements.
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Extent of the first dimension (rows of a matrix).
    public var rows: Int { shape.first ?? 1 }
    /// Product of all dimensions but the first (columns of a matrix).
    public var columns: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// Element `[row, column]` of a tensor viewed as a `[rows, columns]` matrix.
    public subscript(row: Int, column: Int) -> Float {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, storage: storage) }

    /// In-place `self += other` (same shape).
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "shape mismatch \(shape) vs \(other.shape)")
        storage.withUnsafeMutableBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                for i in 0..<a.count { a[i] += b[i] }
            }
        }
    }

    /// Largest absolute element-wise difference to `other` (same shape), for tests and checks.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "shape mismatch \(shape) vs \(other.shape)")
        var m: Float = 0
        for i in 0..<count { m = max(m, abs(storage[i] - other.storage[i])) }
        return m
    }
}
