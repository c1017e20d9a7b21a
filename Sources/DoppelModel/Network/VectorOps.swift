/// Element-wise loops of the network on raw buffers, written with `SIMD16<Float>` so they
/// vectorise in release builds (ReLU, its gradient mask, products, sums).
enum VectorOps {
    typealias V = SIMD16<Float>

    /// `x = max(x, 0)`.
    static func relu(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let raw = UnsafeMutableRawPointer(x)
        while i + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            raw.storeBytes(of: v.replacing(with: 0, where: v .< 0), toByteOffset: i * 4, as: V.self)
            i += 16
        }
        while i < n { if x[i] < 0 { x[i] = 0 }; i += 1 }
    }

    /// `g = y > 0 ? g : 0` (ReLU backward at output `y`).
    static func reluGradient(output y: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let ry = UnsafeRawPointer(y), rg = UnsafeMutableRawPointer(g)
        while i + 16 <= n {
            let yv = ry.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            let gv = rg.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            rg.storeBytes(of: gv.replacing(with: 0, where: yv .<= 0), toByteOffset: i * 4, as: V.self)
            i += 16
        }
        while i < n { if y[i] <= 0 { g[i] = 0 }; i += 1 }
    }

    /// `a *= b`.
    static func multiply(_ a: UnsafeMutablePointer<Float>, by b: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        let ra = UnsafeMutableRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 16 <= n {
            let v = ra.loadUnaligned(fromByteOffset: i * 4, as: V.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            ra.storeBytes(of: v, toByteOffset: i * 4, as: V.self)
            i += 16
        }
        while i < n { a[i] *= b[i]; i += 1 }
    }

    /// `out = a * b`.
    static func product(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), ro = UnsafeMutableRawPointer(out)
        while i + 16 <= n {
            let v = ra.loadUnaligned(fromByteOffset: i * 4, as: V.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            ro.storeBytes(of: v, toByteOffset: i * 4, as: V.self)
            i += 16
        }
        while i < n { out[i] = a[i] * b[i]; i += 1 }
    }

    /// `a += b`.
    static func add(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        let ra = UnsafeMutableRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 16 <= n {
            let v = ra.loadUnaligned(fromByteOffset: i * 4, as: V.self) + rb.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            ra.storeBytes(of: v, toByteOffset: i * 4, as: V.self)
            i += 16
        }
        while i < n { a[i] += b[i]; i += 1 }
    }
}
