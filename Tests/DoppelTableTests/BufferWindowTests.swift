import Testing
import DoppelTable

@Suite struct BufferWindows {
    @Test func adjacentWindowsJoinWithoutCopy() {
        let shared = BufferStorage.zeroedPages(byteCount: 10 * MemoryLayout<Int64>.stride)
        var first = BufferBuilder<Int64>(window: shared, byteOffset: 0, capacity: 4)
        var second = BufferBuilder<Int64>(window: shared, byteOffset: 4 * 8, capacity: 6)
        for v in [1, 2, 3, 4] as [Int64] { first.append(v) }
        for v in [5, 6] as [Int64] { second.append(v) }
        let a = first.finish(), b = second.finish()
        #expect(a.storage === shared && b.storage === shared)
        let joined = Buffer.contiguousJoin([a, b])
        #expect(joined?.array == [1, 2, 3, 4, 5, 6])
        #expect(joined?.storage === shared)
        // A gap (the first window not filled) or another storage is not contiguous.
        var short = BufferBuilder<Int64>(window: shared, byteOffset: 0, capacity: 4)
        short.append(9)
        #expect(Buffer.contiguousJoin([short.finish(), b]) == nil)
        #expect(Buffer.contiguousJoin([a, Buffer([7, 8] as [Int64])]) == nil)
    }

    @Test func untouchedWindowsReadAsZeros() {
        let shared = BufferStorage.zeroedPages(byteCount: 64)
        var builder = BufferBuilder<Int32>(window: shared, byteOffset: 8, capacity: 14)
        builder.append(repeating: 0, count: 3)
        builder.append(7)
        #expect(builder.finish().array == [0, 0, 0, 7])
    }

    @Test func fullWindowMovesToOwnMemory() {
        let shared = BufferStorage.zeroedPages(byteCount: 3 * MemoryLayout<Double>.stride)
        var builder = BufferBuilder<Double>(window: shared, byteOffset: 0, capacity: 3)
        for i in 0..<10 { builder.append(Double(i) / 2) }
        let buffer = builder.finish()
        #expect(buffer.array == (0..<10).map { Double($0) / 2 })
        #expect(buffer.storage !== shared)
    }
}
