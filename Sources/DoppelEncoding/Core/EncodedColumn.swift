import DoppelTable
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Name and number of classes of one sub-column (what the model needs to size its heads).
public struct SubColumnSpec: Codable, Sendable, Equatable {
    /// Sub-column suffix, e.g. `cat`, `nan`, `E3`, `year`, `P0` (full model name:
    /// `{processor}:{table}/{column}__{name}`).
    public let name: String
    /// Codes are `0 ..< cardinality`.
    public let cardinality: Int

    public init(_ name: String, _ cardinality: Int) {
        self.name = name
        self.cardinality = cardinality
    }
}

/// One encoded sub-column: a code per row.
public struct SubColumn: Sendable {
    public let spec: SubColumnSpec
    public let codes: Buffer<Int32>

    public init(spec: SubColumnSpec, codes: Buffer<Int32>) {
        self.spec = spec
        self.codes = codes
    }

    public var name: String { spec.name }
}

/// The integer codes of one column, sub-columns in their canonical order.
public struct EncodedColumn: Sendable {
    public let rowCount: Int
    public let subColumns: [SubColumn]

    public init(rowCount: Int, subColumns: [SubColumn]) {
        self.rowCount = rowCount
        self.subColumns = subColumns
    }

    /// Codes of the sub-column called `name`.
    public subscript(name: String) -> Buffer<Int32>? {
        subColumns.first { $0.spec.name == name }?.codes
    }

    /// Codes of `name`, or an error naming the column when it is missing or has the wrong length.
    func require(_ name: String, column: String) throws(EncodingError) -> Buffer<Int32> {
        guard let codes = self[name] else { throw EncodingError(column: column, "sub-column '\(name)' is missing from the codes") }
        guard codes.count == rowCount else { throw EncodingError(column: column, "sub-column '\(name)' has \(codes.count) rows, expected \(rowCount)") }
        return codes
    }
}

/// Writable code buffers for several sub-columns of `rowCount` rows (zero-initialised), turned
/// into immutable ``Buffer``s without copying.
final class CodeMatrix {
    let rowCount: Int
    private(set) var pointers: [UnsafeMutablePointer<Int32>]
    private var finished = false

    init(columns: Int, rowCount: Int) {
        self.rowCount = rowCount
        pointers = (0..<columns).map { _ in
            let p = calloc(max(rowCount, 1), MemoryLayout<Int32>.stride)!.assumingMemoryBound(to: Int32.self)
            return p
        }
    }

    deinit { if !finished { for p in pointers { free(p) } } }

    /// The buffers, in column order; the matrix must not be written afterwards.
    func finish(specs: [SubColumnSpec]) -> EncodedColumn {
        precondition(specs.count == pointers.count)
        finished = true
        var out: [SubColumn] = []
        for (spec, p) in zip(specs, pointers) {
            let storage = BufferStorage(borrowing: UnsafeRawPointer(p), byteCount: rowCount * 4) { ptr, _ in
                free(UnsafeMutableRawPointer(mutating: ptr))
            }
            out.append(SubColumn(spec: spec, codes: Buffer(storage: storage, start: UnsafePointer(p), count: rowCount)))
        }
        return EncodedColumn(rowCount: rowCount, subColumns: out)
    }
}
