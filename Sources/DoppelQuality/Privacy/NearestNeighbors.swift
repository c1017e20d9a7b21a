/// Exact two nearest neighbours (L2) of every query row among reference rows, in the
/// ``MixedEmbedding`` space.
///
/// Brute force without BLAS: reference rows are packed in blocks of 8 in structure-of-arrays
/// order, so that one query is compared with 8 references per SIMD step (`SIMD8<Float>`: a
/// subtract and a multiply-add per numeric entry, a compare and an add per category). Queries
/// are split into chunks processed in parallel; each keeps its own best two, so the result
/// does not depend on scheduling. Squared distances are summed from non-negative terms
/// (no `‖a‖² + ‖b‖² − 2a·b` cancellation), so identical rows are exactly 0 apart.
///
/// Unoptimised (debug) builds search with a plain scalar loop instead: generic SIMD code runs
/// about 100× slower without optimisation, scalar code about 20×. Both give the same result
/// up to float rounding; tests compare them.
struct NearestNeighbors: Sendable {
    static let lanes = 8
    typealias Lane = SIMD8<Float>
    typealias CodeLane = SIMD8<Int32>

    let blockCount: Int
    let numericWidth: Int
    let categoricalWidth: Int
    /// `blockCount × numericWidth × 8`
    let numeric: [Float]
    /// `blockCount × categoricalWidth × 8`
    let codes: [Int32]
    /// `blockCount × 8`: α, α² and a penalty of +∞ for padding lanes.
    let alpha: [Float]
    let alphaSquared: [Float]
    let padding: [Float]
    /// The reference rows as given (row-major), for the scalar search.
    let reference: EmbeddedRows

    /// Packs `reference` for searching.
    init(reference r: EmbeddedRows) {
        reference = r
        let lanes = Self.lanes
        blockCount = (r.count + lanes - 1) / lanes
        numericWidth = r.numericWidth
        categoricalWidth = r.categoricalWidth
        var num = [Float](repeating: 0, count: blockCount * numericWidth * lanes)
        var cod = [Int32](repeating: Int32.min, count: blockCount * categoricalWidth * lanes)
        var al = [Float](repeating: 0, count: blockCount * lanes)
        var pad = [Float](repeating: .infinity, count: blockCount * lanes)
        for row in 0..<r.count {
            let b = row / lanes, lane = row % lanes
            for d in 0..<numericWidth { num[(b * numericWidth + d) * lanes + lane] = r.numeric[row * numericWidth + d] }
            for c in 0..<categoricalWidth { cod[(b * categoricalWidth + c) * lanes + lane] = r.codes[row * categoricalWidth + c] }
            al[b * lanes + lane] = r.alpha[row]
            pad[b * lanes + lane] = 0
        }
        numeric = num
        codes = cod
        alpha = al
        alphaSquared = al.map { $0 * $0 }
        padding = pad
    }

    /// Distances to the nearest and second nearest reference row of every query row.
    func search(_ queries: EmbeddedRows) -> (first: [Float], second: [Float]) {
        #if DEBUG
        return search(queries, kernel: .scalar)
        #else
        return search(queries, kernel: .simd)
        #endif
    }

    enum Kernel { case simd, scalar }

    func search(_ queries: EmbeddedRows, kernel: Kernel) -> (first: [Float], second: [Float]) {
        precondition(queries.numericWidth == numericWidth && queries.categoricalWidth == categoricalWidth)
        let n = queries.count
        let chunk = 64
        let chunks = (n + chunk - 1) / chunk
        var first = [Float](repeating: .infinity, count: n)
        var second = [Float](repeating: .infinity, count: n)
        first.withUnsafeMutableBufferPointer { f in
            second.withUnsafeMutableBufferPointer { s in
                let fb = SlotBox(f), sb = SlotBox(s)
                parallelFor(chunks) { c in
                    var q = c * chunk
                    let end = min(n, (c + 1) * chunk)
                    while q < end {
                        if kernel == .simd && q + 1 < end {
                            // Two queries share each load of a reference block.
                            let (a, b) = nearestTwoForPair(queries, q)
                            (fb.slots[q], sb.slots[q]) = a
                            (fb.slots[q + 1], sb.slots[q + 1]) = b
                            q += 2
                        } else {
                            (fb.slots[q], sb.slots[q]) = kernel == .simd ? nearestTwo(queries, q) : nearestTwoScalar(queries, q)
                            q += 1
                        }
                    }
                }
            }
        }
        return (first.map { $0.squareRoot() }, second.map { $0.squareRoot() })
    }

    /// Squared distances to the two nearest reference rows of query row `q`.
    private func nearestTwo(_ queries: EmbeddedRows, _ q: Int) -> (Float, Float) {
        let dn = numericWidth, dc = categoricalWidth, lanes = Self.lanes
        var best1 = Float.infinity, best2 = Float.infinity
        withPacked(queries) { qn, qc, packed in
            let qNum = qn + q * dn
            let qCod = qc + q * dc
            let qa = queries.alpha[q]
            let qaVec = Lane(repeating: qa), qa2Vec = Lane(repeating: qa * qa)
            let nCat = Lane(repeating: Float(dc))
            let rnBase = packed.numeric, rcBase = packed.codes
            let raBase = packed.alpha, ra2Base = packed.alphaSquared, rpBase = packed.padding
            let floatStride = MemoryLayout<Float>.stride * lanes, intStride = MemoryLayout<Int32>.stride * lanes
            for b in 0..<blockCount {
                var acc = rpBase.loadUnaligned(fromByteOffset: b * floatStride, as: Lane.self)
                let numBase = b * dn
                for d in 0..<dn {
                    let diff = rnBase.loadUnaligned(fromByteOffset: (numBase + d) * floatStride, as: Lane.self) - Lane(repeating: qNum[d])
                    acc += diff * diff
                }
                // Count differing categories without mask types: for d = a − b,
                // (d | −d) >> 31 is −1 when d ≠ 0 and 0 otherwise.
                var differing = CodeLane.zero
                let codBase = b * dc
                for c in 0..<dc {
                    let d = rcBase.loadUnaligned(fromByteOffset: (codBase + c) * intStride, as: CodeLane.self) &- CodeLane(repeating: qCod[c])
                    differing &-= (d | (CodeLane.zero &- d)) &>> 31
                }
                let ra = raBase.loadUnaligned(fromByteOffset: b * floatStride, as: Lane.self)
                let ra2 = ra2Base.loadUnaligned(fromByteOffset: b * floatStride, as: Lane.self)
                let ne = Lane(differing)
                let gap = qaVec - ra
                acc += (nCat - ne) * gap * gap + ne * (qa2Vec + ra2)
                let smallest = min(min(min(acc[0], acc[1]), min(acc[2], acc[3])), min(min(acc[4], acc[5]), min(acc[6], acc[7])))
                if smallest < best2 {
                    for l in 0..<lanes {
                        let v = acc[l]
                        if v < best1 { best2 = best1; best1 = v } else if v < best2 { best2 = v }
                    }
                }
            }
        }
        return (max(best1, 0), max(best2, 0))
    }

    /// ``nearestTwo(_:_:)`` for queries `q` and `q + 1` at once.
    private func nearestTwoForPair(_ queries: EmbeddedRows, _ q: Int) -> ((Float, Float), (Float, Float)) {
        let dn = numericWidth, dc = categoricalWidth, lanes = Self.lanes
        var a1 = Float.infinity, a2 = Float.infinity, b1 = Float.infinity, b2 = Float.infinity
        withPacked(queries) { qn, qc, packed in
            let qNumA = qn + q * dn, qNumB = qNumA + dn
            let qCodA = qc + q * dc, qCodB = qCodA + dc
            let alphaA = queries.alpha[q], alphaB = queries.alpha[q + 1]
            let qaA = Lane(repeating: alphaA), qaB = Lane(repeating: alphaB)
            let qa2A = Lane(repeating: alphaA * alphaA), qa2B = Lane(repeating: alphaB * alphaB)
            let nCat = Lane(repeating: Float(dc))
            let rnBase = packed.numeric, rcBase = packed.codes
            let raBase = packed.alpha, ra2Base = packed.alphaSquared, rpBase = packed.padding
            let floatStride = MemoryLayout<Float>.stride * lanes, intStride = MemoryLayout<Int32>.stride * lanes
            for b in 0..<blockCount {
                let pad = rpBase.loadUnaligned(fromByteOffset: b * floatStride, as: Lane.self)
                var accA = pad, accB = pad
                let numBase = b * dn
                for d in 0..<dn {
                    let r = rnBase.loadUnaligned(fromByteOffset: (numBase + d) * floatStride, as: Lane.self)
                    let da = r - Lane(repeating: qNumA[d]), db = r - Lane(repeating: qNumB[d])
                    accA += da * da
                    accB += db * db
                }
                var diffA = CodeLane.zero, diffB = CodeLane.zero
                let codBase = b * dc
                for c in 0..<dc {
                    let r = rcBase.loadUnaligned(fromByteOffset: (codBase + c) * intStride, as: CodeLane.self)
                    let da = r &- CodeLane(repeating: qCodA[c]), db = r &- CodeLane(repeating: qCodB[c])
                    diffA &-= (da | (CodeLane.zero &- da)) &>> 31
                    diffB &-= (db | (CodeLane.zero &- db)) &>> 31
                }
                let rav = raBase.loadUnaligned(fromByteOffset: b * floatStride, as: Lane.self)
                let ra2v = ra2Base.loadUnaligned(fromByteOffset: b * floatStride, as: Lane.self)
                let neA = Lane(diffA), neB = Lane(diffB)
                let gapA = qaA - rav, gapB = qaB - rav
                accA += (nCat - neA) * gapA * gapA + neA * (qa2A + ra2v)
                accB += (nCat - neB) * gapB * gapB + neB * (qa2B + ra2v)
                Self.update(accA, &a1, &a2)
                Self.update(accB, &b1, &b2)
            }
        }
        return ((max(a1, 0), max(a2, 0)), (max(b1, 0), max(b2, 0)))
    }

    /// Base addresses of the packed reference arrays, valid inside ``withPacked(_:_:)``.
    private struct PackedPointers {
        let numeric, codes, alpha, alphaSquared, padding: UnsafeRawPointer
    }

    /// Runs `body` with the base addresses of the query rows' numeric entries and codes and
    /// of the packed reference arrays.
    @inline(__always)
    private func withPacked<R>(_ queries: EmbeddedRows, _ body: (UnsafePointer<Float>, UnsafePointer<Int32>, PackedPointers) -> R) -> R {
        queries.numeric.withUnsafeBufferPointer { qn in
        queries.codes.withUnsafeBufferPointer { qc in
        numeric.withUnsafeBufferPointer { rn in
        codes.withUnsafeBufferPointer { rc in
        alpha.withUnsafeBufferPointer { ra in
        alphaSquared.withUnsafeBufferPointer { ra2 in
        padding.withUnsafeBufferPointer { rp in
            body(qn.baseAddress!, qc.baseAddress!, PackedPointers(
                numeric: UnsafeRawPointer(rn.baseAddress!), codes: UnsafeRawPointer(rc.baseAddress!), alpha: UnsafeRawPointer(ra.baseAddress!),
                alphaSquared: UnsafeRawPointer(ra2.baseAddress!), padding: UnsafeRawPointer(rp.baseAddress!)))
        }}}}}}}
    }

    /// Folds 8 squared distances into the best two.
    @inline(__always)
    private static func update(_ acc: Lane, _ best1: inout Float, _ best2: inout Float) {
        let smallest = min(min(min(acc[0], acc[1]), min(acc[2], acc[3])), min(min(acc[4], acc[5]), min(acc[6], acc[7])))
        guard smallest < best2 else { return }
        for l in 0..<lanes {
            let v = acc[l]
            if v < best1 { best2 = best1; best1 = v } else if v < best2 { best2 = v }
        }
    }

    /// The same as ``nearestTwo(_:_:)`` one reference row at a time.
    private func nearestTwoScalar(_ queries: EmbeddedRows, _ q: Int) -> (Float, Float) {
        let dn = numericWidth, dc = categoricalWidth
        var best1 = Float.infinity, best2 = Float.infinity
        let qa = queries.alpha[q]
        queries.numeric.withUnsafeBufferPointer { qn in
        queries.codes.withUnsafeBufferPointer { qc in
        reference.numeric.withUnsafeBufferPointer { rn in
        reference.codes.withUnsafeBufferPointer { rc in
        reference.alpha.withUnsafeBufferPointer { ra in
            let qNum = qn.baseAddress! + q * dn, qCod = qc.baseAddress! + q * dc
            var rNum = rn.baseAddress!, rCod = rc.baseAddress!
            for r in 0..<reference.count {
                var acc: Float = 0
                for d in 0..<dn { let x = rNum[d] - qNum[d]; acc += x * x }
                var differing: Float = 0
                for c in 0..<dc where rCod[c] != qCod[c] { differing += 1 }
                let a = ra[r], gap = qa - a
                acc += (Float(dc) - differing) * gap * gap + differing * (qa * qa + a * a)
                if acc < best1 { best2 = best1; best1 = acc } else if acc < best2 { best2 = acc }
                rNum += dn
                rCod += dc
            }
        }}}}}
        return (max(best1, 0), max(best2, 0))
    }
}
