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
        // A tiny ε gives noise beyond any integer: capped at 2^40 (sums of many stay in range).
        return noisy > 0 ? Int(min(noisy, 0x1p40)) : 0
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

    /// Bin of the reference's 128-bin symmetric log histogram: 64 = [0, 1), 64+k = [2^(k-1), 2^k)
    /// for k = 1…63, 63 = (-1, 0), lower bins mirrored; values clipped to ±2^63.
    static func logBin(_ x: Double) -> Int {
        let a = Swift.min(x.magnitude, 0x1p63 - 1)
        let k = a < 1 ? 0 : Swift.min(Int(a.exponent) + 1, 63)
        return x < 0 ? 63 - k : 64 + k
    }

    /// Value range of a log-histogram bin.
    static func logBinRange(_ bin: Int) -> (lower: Double, upper: Double) {
        func edge(_ k: Int) -> Double { k == 0 ? 0 : Double(sign: .plus, exponent: k - 1, significand: 1) }
        if bin >= 64 { return (edge(bin - 64), Double(sign: .plus, exponent: bin - 64, significand: 1)) }
        let k = 63 - bin
        return (-Double(sign: .plus, exponent: k, significand: 1), -edge(k))
    }

    /// Coarse DP bounds (reference `dp_approx_bounds`): Laplace(1/ε) noise on every bin of the
    /// log histogram; the lowest and highest bins above `K = -ln(2 - 2p^(1/(bins-1)))/ε`, with
    /// `p = 1 - failure` and the failure probability raised from 1e-8 tenfold until a bin passes.
    /// Unlike the reference, the range extends to 0 when all passing bins lie on one side: it
    /// only has to contain the data (small-magnitude bins hold few values and rarely pass), the
    /// precision comes from the quantile stage.
    static func coarseBounds(_ counts: [Int], epsilon: Double, random: inout SeededRandom) -> (Double, Double)? {
        let noisy = counts.map { Double($0) + laplace(scale: 1 / epsilon, random: &random) }
        let bins = Double(counts.count)
        var failure = 1e-8
        while failure <= 1 / (2 * bins) {
            let p = 1 - failure
            let k = -log(2 - 2 * pow(p, 1 / (bins - 1))) / epsilon
            if let lo = noisy.firstIndex(where: { $0 > k }), let hi = noisy.lastIndex(where: { $0 > k }) {
                return (lo >= 64 ? 0 : logBinRange(lo).lower, hi < 64 ? 0 : logBinRange(hi).upper)
            }
            failure *= 10
        }
        return nil
    }

    /// Cells of the linear grid inside the coarse range.
    static let boundCells = 1000

    /// DP quantiles in two stages, fixing the reference's power-of-two coarseness: the coarse
    /// log-histogram range (ε/2), then each quantile (ε/(2m) each, exponential mechanism) on a
    /// linear grid of ``boundCells`` cells inside that range; tail quantiles move inward to
    /// `max(q, 3·ln(cells)/(ε_q·n))` (at most 25 %) when the budget is too small to locate them.
    /// `values` are ascending
    /// `(value, count)` pairs; `nil` when no bin passes the threshold (too little data for the
    /// budget). Results are ascending.
    static func quantiles(_ values: [(value: Double, count: Int)], _ qs: [Double], epsilon: Double, random: inout SeededRandom) -> [Double]? {
        var logCounts = [Int](repeating: 0, count: 128)
        for (v, c) in values { logCounts[logBin(v)] += c }
        guard let (lower, upper) = coarseBounds(logCounts, epsilon: epsilon / 2, random: &random) else { return nil }
        let width = (upper - lower) / Double(boundCells)
        var cells: [Int64] = []
        var counts: [Int] = []
        for (v, c) in values {
            let cell = Int64(Swift.min(Swift.max(((v - lower) / width).rounded(.down), 0), Double(boundCells - 1)))
            if cells.last == cell { counts[counts.count - 1] += c } else { cells.append(cell); counts.append(c) }
        }
        let histogram = SparseHistogram(keys: cells, counts: counts)
        let domain: ClosedRange<Int64> = 0...Int64(boundCells - 1)
        let epsilonPerQuantile = epsilon / (2 * Double(qs.count))
        // The exponential mechanism finds a quantile q only when ε·q·n/2 clearly exceeds
        // ln(cells); tail quantiles move inward until it does (n, the row count, is public).
        let n = Double(histogram.total)
        let needed: Double = 3 * log(Double(boundCells)) / Swift.max(epsilonPerQuantile * n, 1e-9)
        let tail: Double = Swift.min(0.25, needed)
        var picked: [Int64] = []
        for q in qs {
            let adjusted: Double = q < 0.5 ? Swift.max(q, tail) : (q > 0.5 ? Swift.min(q, 1 - tail) : q)
            picked.append(quantile(histogram, q: adjusted, domain: domain, epsilon: epsilonPerQuantile, random: &random))
        }
        picked.sort()
        return picked.enumerated().map { i, cell in lower + Double(cell + (i == picked.count - 1 && qs.count > 1 ? 1 : 0)) * width }
    }

    /// DP bounds: the 1 % and 99 % quantiles (upper bound at the cell's upper edge).
    static func bounds(_ values: [(value: Double, count: Int)], epsilon: Double, random: inout SeededRandom) -> (Double, Double)? {
        quantiles(values, [0.01, 0.99], epsilon: epsilon, random: &random).map { ($0[0], $0[1]) }
    }
}
