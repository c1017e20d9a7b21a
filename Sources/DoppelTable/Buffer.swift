#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owner of a block of raw memory that one or more ``Buffer`` views read.
///
/// The memory is either allocated by us (and freed on `deinit`) or borrowed from someone
/// else (a memory-mapped file) together with a `release` closure. It is never mutated after a
/// ``Buffer`` has been made from it, which is what makes sharing it across threads safe.
public final class BufferStorage: @unchecked Sendable {
    /// Start of the memory block.
    public let baseAddress: UnsafeRawPointer
    /// Size of the block in bytes.
    public let byteCount: Int
    private let release: (@Sendable (UnsafeRawPointer, Int) -> Void)?
    /// Whether the memory is a read-only mapping of a file, whose pages can be handed back to
    /// the kernel and read again from the file (see ``releaseResidentPages()``).
    public let isReadOnlyFileMapping: Bool

    /// Wraps memory owned elsewhere; `release` runs once when the last view goes away.
    public init(borrowing base: UnsafeRawPointer, byteCount: Int, readOnlyFileMapping: Bool = false,
                release: (@Sendable (UnsafeRawPointer, Int) -> Void)?) {
        self.baseAddress = base
        self.byteCount = byteCount
        self.release = release
        isReadOnlyFileMapping = readOnlyFileMapping
    }

    /// Takes ownership of memory obtained from `malloc`/`realloc`.
    init(mallocated base: UnsafeMutableRawPointer, byteCount: Int) {
        self.baseAddress = UnsafeRawPointer(base)
        self.byteCount = byteCount
        self.release = { pointer, _ in free(UnsafeMutableRawPointer(mutating: pointer)) }
        isReadOnlyFileMapping = false
    }

    /// Gives `madvise` `advice` for the pages wholly inside `bytes` (offsets into the storage,
    /// clamped to it); nothing when there is no such page.
    public func advise(wholePagesOf bytes: Range<Int>, _ advice: Int32) {
        #if os(Linux)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (max(0, bytes.lowerBound) + page - 1) / page * page
        let last = min(byteCount, bytes.upperBound) / page * page
        guard last > first else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: baseAddress + first), last - first, advice)
        #endif
    }

    /// Of a read-only file mapping, drops the pages the process holds (they stay in the kernel's
    /// page cache and are read again when touched), so that a mapping walked end to end does not
    /// keep the whole file resident; does nothing for any other memory.
    public func releaseResidentPages() {
        #if os(Linux)
        if isReadOnlyFileMapping { advise(wholePagesOf: 0..<byteCount, MADV_DONTNEED) }
        #endif
    }

    deinit { release?(baseAddress, byteCount) }

    /// `byteCount` bytes of fresh zeroed pages (an anonymous memory mapping). Pages cost memory
    /// only once written, so a generous upper bound costs nothing; ``BufferBuilder/init(window:byteOffset:capacity:)``
    /// lets several builders fill disjoint windows of it.
    public static func zeroedPages(byteCount: Int) -> BufferStorage {
        guard byteCount > 0 else { return .empty }
        // MAP_NORESERVE: such blocks are often reserved generously and written only in part.
        guard let raw = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0), raw != MAP_FAILED else {
            fatalError("out of memory mapping \(byteCount) bytes")
        }
        return BufferStorage(borrowing: UnsafeRawPointer(raw), byteCount: byteCount) { pointer, count in
            munmap(UnsafeMutableRawPointer(mutating: pointer), count)
        }
    }

    /// A shared empty block, so that empty buffers need no allocation.
    static let empty: BufferStorage = {
        let p = malloc(64)!
        return BufferStorage(mallocated: p, byteCount: 0)
    }()
}

/// An immutable, contiguous, typed view into a ``BufferStorage``.
///
/// Slicing is zero-copy: a slice shares the storage and only moves the start pointer.
/// `Buffer` is the one container for column data: no per-value boxing, no Swift arrays of
/// optionals in hot paths.
public struct Buffer<Element: BitwiseCopyable>: @unchecked Sendable {
    public let storage: BufferStorage
    @usableFromInline let start: UnsafePointer<Element>
    /// Number of elements in view.
    public let count: Int

    /// A view of `count` elements starting at `start`, which must lie inside `storage`.
    public init(storage: BufferStorage, start: UnsafePointer<Element>, count: Int) {
        self.storage = storage
        self.start = start
        self.count = count
    }

    /// An empty buffer.
    public init() {
        self.storage = .empty
        self.start = BufferStorage.empty.baseAddress.assumingMemoryBound(to: Element.self)
        self.count = 0
    }

    /// Copies `elements` into a new buffer.
    public init<C: Collection>(_ elements: C) where C.Element == Element {
        var builder = BufferBuilder<Element>(capacity: elements.count)
        for e in elements { builder.append(e) }
        self = builder.finish()
    }

    @inlinable public subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "Buffer index out of range")
        return start[index]
    }

    /// Calls `body` with a pointer to the elements; the pointer must not escape.
    @inlinable public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: start, count: count))
    }

    /// The raw bytes of the elements in view.
    public var rawBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: UnsafeRawPointer(start), count: count * MemoryLayout<Element>.stride)
    }

    /// Zero-copy view of `range` (in elements).
    public func slice(_ range: Range<Int>) -> Buffer {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "Buffer slice out of range")
        return Buffer(storage: storage, start: start + range.lowerBound, count: range.count)
    }

    /// The elements as a Swift array (a copy; for tests and small data).
    public var array: [Element] { withUnsafeBufferPointer { Array($0) } }

    /// One view of `parts` when they lie back to back in one storage (each starts where the
    /// previous one ends), as the parts filled through windows of one shared block do; `nil`
    /// otherwise. Joining such parts needs no copy.
    public static func contiguousJoin(_ parts: [Buffer]) -> Buffer? {
        guard let first = parts.first else { return nil }
        var end = first.start + first.count
        for part in parts.dropFirst() {
            guard part.storage === first.storage, part.start == end || part.count == 0 else { return nil }
            end = part.start + part.count
        }
        return Buffer(storage: first.storage, start: first.start, count: end - first.start)
    }
}

extension Buffer: Equatable where Element: Equatable {
    public static func == (lhs: Buffer, rhs: Buffer) -> Bool {
        lhs.count == rhs.count && lhs.withUnsafeBufferPointer { a in rhs.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
    }
}

/// A growable, uniquely owned buffer that turns into an immutable ``Buffer`` without copying.
///
/// Memory comes from `malloc`/`realloc`, growing by 1.5×. The builder is a non-copyable
/// value: it owns its memory until ``finish()`` hands it to a ``BufferStorage``.
///
/// A builder may instead fill a *window* of a shared storage (``init(window:byteOffset:capacity:)``):
/// it then owns only the right to write that window, and ``finish()`` gives a view of the shared
/// storage. Parallel writers that fill adjacent windows produce parts that join without a copy
/// (``Buffer/contiguousJoin(_:)``). Should a window fill up, the builder moves its elements to
/// memory of its own and goes on as a plain builder.
public struct BufferBuilder<Element: BitwiseCopyable>: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<Element>?
    @usableFromInline var _count: Int = 0
    @usableFromInline var capacity: Int = 0
    /// The shared storage whose window `base` points into (retained by the builder; unmanaged so
    /// that `finish()` can `discard self`); `nil` when the builder owns `base`.
    @usableFromInline var window: Unmanaged<BufferStorage>?

    public init(capacity: Int = 0) {
        if capacity > 0 { reserve(capacity) }
    }

    /// A builder that writes into `capacity` elements of `storage` from `byteOffset` on. The
    /// window must lie inside the storage, be aligned for `Element`, and be written by this
    /// builder only; `storage` must be writable memory (``BufferStorage/zeroedPages(byteCount:)``).
    public init(window storage: BufferStorage, byteOffset: Int, capacity: Int) {
        precondition(byteOffset >= 0 && byteOffset + capacity * MemoryLayout<Element>.stride <= storage.byteCount, "window outside its storage")
        precondition(byteOffset % MemoryLayout<Element>.alignment == 0, "misaligned window")
        base = UnsafeMutableRawPointer(mutating: storage.baseAddress + byteOffset).assumingMemoryBound(to: Element.self)
        self.capacity = capacity
        window = .passRetained(storage)
    }

    deinit {
        if let window { window.release() } else if let base { free(base) }
    }

    /// Number of elements appended so far.
    @inlinable public var count: Int { _count }

    /// Ensures room for at least `minimumCapacity` elements.
    @inlinable public mutating func reserve(_ minimumCapacity: Int) {
        guard minimumCapacity > capacity else { return }
        let newCapacity = Swift.max(minimumCapacity, capacity + capacity / 2, 16)
        let bytes = newCapacity * MemoryLayout<Element>.stride
        if window != nil {
            // The window is full: continue in memory of our own.
            guard let raw = malloc(bytes) else { fatalError("out of memory allocating \(bytes) bytes") }
            let own = raw.assumingMemoryBound(to: Element.self)
            if let base { own.update(from: base, count: _count) }
            base = own
            window?.release()
            window = nil
        } else {
            guard let raw = realloc(base, bytes) else { fatalError("out of memory allocating \(bytes) bytes") }
            base = raw.assumingMemoryBound(to: Element.self)
        }
        capacity = newCapacity
    }

    @inlinable public mutating func append(_ value: Element) {
        if _count == capacity { reserve(_count + 1) }
        base![_count] = value
        _count += 1
    }

    /// Appends `n` copies of `value`.
    @inlinable public mutating func append(repeating value: Element, count n: Int) {
        guard n > 0 else { return }
        reserve(_count + n)
        (base! + _count).initialize(repeating: value, count: n)
        _count += n
    }

    /// Appends the elements of `source`.
    @inlinable public mutating func append(contentsOf source: UnsafeBufferPointer<Element>) {
        guard source.count > 0 else { return }
        reserve(_count + source.count)
        (base! + _count).update(from: source.baseAddress!, count: source.count)
        _count += source.count
    }

    /// Drops the last `n` elements (their memory stays reserved).
    @inlinable public mutating func removeLast(_ n: Int) {
        precondition(n >= 0 && n <= _count)
        _count -= n
    }

    /// Reads or writes an element already appended.
    @inlinable public subscript(index: Int) -> Element {
        get { precondition(index < _count); return base![index] }
        set { precondition(index < _count); base![index] = newValue }
    }

    /// Appends `n` elements whose values `body` writes into the uninitialised slots.
    @inlinable public mutating func appendUninitialized(count n: Int, _ body: (UnsafeMutableBufferPointer<Element>) throws -> Void) rethrows {
        guard n > 0 else {
            try body(UnsafeMutableBufferPointer(start: nil, count: 0))
            return
        }
        reserve(_count + n)
        try body(UnsafeMutableBufferPointer(start: base! + _count, count: n))
        _count += n
    }

    /// Read-only access to the elements appended so far.
    @inlinable public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: _count))
    }

    /// Hands the memory over to an immutable ``Buffer``.
    public consuming func finish() -> Buffer<Element> {
        let result: Buffer<Element>
        if let window {
            let storage = window.takeRetainedValue()
            result = base.map { Buffer(storage: storage, start: UnsafePointer($0), count: _count) } ?? Buffer()
        } else if let base, _count > 0 {
            let storage = BufferStorage(mallocated: UnsafeMutableRawPointer(base), byteCount: _count * MemoryLayout<Element>.stride)
            result = Buffer(storage: storage, start: UnsafePointer(base), count: _count)
        } else {
            if let base { free(base) }
            result = Buffer()
        }
        discard self
        return result
    }
}
