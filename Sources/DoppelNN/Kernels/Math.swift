#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few libm functions the layers need, in one place so platform `#if`s stay here.
enum Math {
    @inline(__always) static func log(_ x: Double) -> Double { Foundation_log(x) }
    @inline(__always) static func log(_ x: Float) -> Float { logf(x) }
    @inline(__always) static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double { Foundation_pow(x, y) }
}

@inline(__always) private func Foundation_log(_ x: Double) -> Double { log(x) }
@inline(__always) private func Foundation_pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
