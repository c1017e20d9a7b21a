/// Binary weights: the slice layout followed by the flat value buffer, little-endian.
///
/// ```
/// "DPNW" u32 version=1 | u32 sliceCount | per slice: name (u32 length + UTF-8), u32 rank,
/// i64 dims…, i64 offset | i64 valueCount | f32 values…
/// ```
///
/// Loading never re-creates layers: the model rebuilds its architecture (same allocation order),
/// then ``loadValues(from:)`` checks that every slice name, shape and offset matches and copies
/// the values in one piece.
extension ParameterStore {
    private static let version: UInt32 = 1

    /// The parameter values with their layout, for a weights file.
    public func serializedValues() -> [UInt8] {
        var w = ByteWriter()
        w.writeTag("DPNW")
        w.write(Self.version)
        w.write(UInt32(slices.count))
        for slice in slices {
            w.write(slice.name)
            w.write(UInt32(slice.shape.count))
            for d in slice.shape { w.write(Int64(d)) }
            w.write(Int64(slice.offset))
        }
        w.write(values)
        return w.bytes
    }

    /// Replaces all values by those of a blob from ``serializedValues()``.
    /// - Throws: ``CheckpointError`` when the blob is not a weights blob, is truncated, or was
    ///   written for a different layout (the message names the first differing slice).
    public mutating func loadValues(from bytes: [UInt8]) throws(CheckpointError) {
        var r = ByteReader(bytes)
        try r.expect("DPNW", name: "weights")
        guard try r.readUInt32() == Self.version else { throw .notACheckpoint(expected: "weights") }
        let count = Int(try r.readUInt32())
        guard count == slices.count else {
            throw .layoutMismatch("\(count) parameter slices in the file, \(slices.count) in the model")
        }
        for slice in slices {
            let name = try r.readString()
            let rank = Int(try r.readUInt32())
            guard rank <= 16 else { throw .truncated(offset: r.offset) }
            var shape: [Int] = []
            for _ in 0..<rank { shape.append(Int(try r.readInt64())) }
            let offset = Int(try r.readInt64())
            guard name == slice.name, shape == slice.shape, offset == slice.offset else {
                throw .layoutMismatch("file has \(name) \(shape) at \(offset), model has \(slice.name) \(slice.shape) at \(slice.offset)")
            }
        }
        let loaded = try r.readFloats()
        guard loaded.count == values.count else {
            throw .layoutMismatch("\(loaded.count) values in the file, \(values.count) in the model")
        }
        guard r.isAtEnd else { throw .layoutMismatch("\(bytes.count - r.offset) unexpected bytes after the values") }
        values = loaded
    }
}

/// Binary optimiser state: `"DPNA"` u32 version=1, settings, learning rate, step, both moments.
extension AdamW.State {
    private static let version: UInt32 = 1

    /// The state as bytes, for an optimiser file.
    public func serialized() -> [UInt8] {
        var w = ByteWriter()
        w.writeTag("DPNA")
        w.write(Self.version)
        for v in [settings.beta1, settings.beta2, settings.epsilon, settings.weightDecay, learningRate] { w.write(v) }
        w.write(Int64(step))
        w.write(firstMoment)
        w.write(secondMoment)
        return w.bytes
    }

    /// Reads a state written by ``serialized()``.
    public init(serialized bytes: [UInt8]) throws(CheckpointError) {
        var r = ByteReader(bytes)
        try r.expect("DPNA", name: "optimiser")
        guard try r.readUInt32() == Self.version else { throw .notACheckpoint(expected: "optimiser") }
        let settings = AdamW.Settings(beta1: try r.readFloat(), beta2: try r.readFloat(),
                                      epsilon: try r.readFloat(), weightDecay: try r.readFloat())
        let learningRate = try r.readFloat()
        let step = Int(try r.readInt64())
        let m = try r.readFloats()
        let v = try r.readFloats()
        guard m.count == v.count, r.isAtEnd else { throw .layoutMismatch("inconsistent moment buffers") }
        self.init(settings: settings, learningRate: learningRate, step: step, firstMoment: m, secondMoment: v)
    }
}
