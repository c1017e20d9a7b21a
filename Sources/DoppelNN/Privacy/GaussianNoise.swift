import DoppelParallel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adds `scale · N(0, 1)` to every element of a buffer (DP-SGD's noise), in chunks of 65,536
/// values on up to `workers` threads; chunk `k` draws from `stream(seed, k)` with both values of
/// each Box–Muller pair used, so the result depends on the seed, never on the workers.
public enum GaussianNoise {
    static let chunkSize = 1 << 16

    public static func add(to values: UnsafeMutablePointer<Float>, count: Int, scale: Double, seed: UInt64, workers: Int) {
        let chunks = (count + chunkSize - 1) / chunkSize
        let target = NoiseTarget(pointer: values)
        // One worker (or one chunk) runs inline on this thread.
        Executor.sharedThreads(jobs: max(1, workers)).forEach(chunks) { k in
            var random = SeededRandom.stream(seed: seed, [UInt64(k)])
            let lo = k * chunkSize, hi = min(count, lo + chunkSize)
            var i = lo
            while i < hi {
                let u1 = 1 - random.nextDouble(), u2 = random.nextDouble()
                let radius = (-2 * log(u1)).squareRoot() * scale, angle = 2 * Double.pi * u2
                target.pointer[i] += Float(radius * cos(angle))
                if i + 1 < hi { target.pointer[i + 1] += Float(radius * sin(angle)) }
                i += 2
            }
        }
    }

    private struct NoiseTarget: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
    }
}
