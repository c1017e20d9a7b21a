import DoppelParallel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pure ε-DP mechanisms for the statistics (sensitivity 1: one subject changes a count or a
/// rank by at most one).
enum DifferentialPrivacy {
    /// A draw from Laplace(0, scale) (inverse CDF).
    static func laplace(scale: Double, random: inout SeededRandom) -> Double {
        let u = random.nextDouble() - 0.5
        let sign: Double = u < 0 ? -1 : 1
        return -scale * sign * log(max(1 - 2 * abs(u), .leastNormalMagnitude))
    }

    /// Laplace-noised count, floored at zero and truncated to an integer (reference
    /// `dp_non_rare`).
    static func noisyCount(_ count: Int, epsilon: Double, random: inout SeededRandom) -> Int {
        let noisy = Double(count) + laplace(scale: 1 / epsilon, random: &random)
        return noisy > 0 ? Int(noisy) : 0
    }

    /// Keys whose Laplace-noised count reaches `threshold`, with the kept share of the noisy total.
    /// `counts` must be in a fixed order (noise is drawn in that order).
    static func nonRare<K>(_ counts: [(K, Int)], epsilon: Double, threshold: Int, random: inout SeededRandom) -> (kept: [K], ratio: Double) {
        var kept: [K] = []
        var keptSum = 0, total = 0
        for (k, c) in counts {
            let n = noisyCount(c, epsilon: epsilon, random: &random)
            total += n
            if n >= threshold { kept.append(k); keptSum += n }
        }
        return (kept, total > 0 ? Double(keptSum) / Double(total) : 0)
    }

    /// A DP quantile of a histogram by the exponential mechanism (Smith, "Privacy-preserving
    /// statistical estimation with optimal convergence rates", STOC 2011) over the public bin
    /// domain `domain`: every bin is a candidate with utility −(distance of `q·n` from the bin's
    /// rank range); runs of empty bins share one utility, so the cost is linear in the occupied
    /// bins. Returns the chosen bin key.
    static func quantile(_ histogram: SparseHistogram, q: Double, domain: ClosedRange<Int64>, epsilon: Double, random: inout SeededRandom) -> Int64 {
        let n = Double(histogram.total)
        let target = q * n
        // Regions: (first key, length, utility).
        var regions: [(start: Int64, length: Double, utility: Double)] = []
        var next = domain.lowerBound
        var below = 0.0
        func distance(_ lo: Double, _ hi: Double) -> Double { target < lo ? lo - target : (target > hi ? target - hi : 0) }
        for (k, c) in zip(histogram.keys, histogram.counts) where domain.contains(k) {
            if k > next { regions.append((next, Double(k - next), -distance(below, below))) }
            regions.append((k, 1, -distance(below, below + Double(c))))
            below += Double(c)
            next = k + 1
        }
        if next <= domain.upperBound { regions.append((next, Double(domain.upperBound - next) + 1, -distance(below, below))) }
        let top = regions.map(\.utility).max() ?? 0
        let weights = regions.map { $0.length * exp(epsilon / 2 * ($0.utility - top)) }
        let sum = weights.reduce(0, +)
        var pick = random.nextDouble() * sum
        for (r, w) in zip(regions, weights) {
            if pick < w || w == sum {
                let offset = r.length > 1 ? Int64(min(Double(random.uniform(below: Int(min(r.length, Double(Int.max))))), r.length - 1)) : 0
                return r.start + offset
            }
            pick -= w
        }
        return regions.last.map { $0.start } ?? domain.lowerBound
    }

    /// DP lower and upper bounds: the 1 % and 99 % quantiles, ε/2 each.
    static func bounds(_ histogram: SparseHistogram, domain: ClosedRange<Int64>, epsilon: Double, random: inout SeededRandom) -> (Int64, Int64) {
        let lo = quantile(histogram, q: 0.01, domain: domain, epsilon: epsilon / 2, random: &random)
        let hi = quantile(histogram, q: 0.99, domain: domain, epsilon: epsilon / 2, random: &random)
        return (min(lo, hi), max(lo, hi))
    }
}
