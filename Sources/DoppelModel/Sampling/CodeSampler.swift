import Foundation
import DoppelParallel

/// Draws one code from a row of logits: temperature, then top-p, then suppression, then an
/// inverse-CDF draw from a seeded stream (Float64 cumulative sums).
struct CodeSampler {
    let temperature: Float
    let topP: Float
    private var probabilities: [Double] = []
    private var indices: [Int] = []

    init(temperature: Float, topP: Float) {
        self.temperature = max(temperature, 1e-3)
        self.topP = topP
    }

    mutating func sample(logits: UnsafePointer<Float>, count: Int, suppressed: [Bool]?, random: inout SeededRandom) -> Int32 {
        if probabilities.count < count { probabilities = [Double](repeating: 0, count: count) }
        var maximum = -Float.infinity
        for i in 0..<count { maximum = max(maximum, logits[i]) }
        var sum = 0.0
        for i in 0..<count {
            let e = Foundation.exp(Double((logits[i] - maximum) / temperature))
            probabilities[i] = e
            sum += e
        }
        if topP < 1 {
            indices = Array(0..<count)
            let p = probabilities
            indices.sort { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
            var cumulative = 0.0
            var keep = count
            for (n, i) in indices.enumerated() {
                cumulative += p[i] / sum
                if cumulative >= Double(topP) { keep = n + 1; break }
            }
            for i in indices[keep...] { probabilities[i] = 0 }
        }
        if let suppressed {
            for i in 0..<count where suppressed[i] { probabilities[i] = 0 }
        }
        sum = 0
        for i in 0..<count { sum += probabilities[i] }
        if !(sum > 0) || !sum.isFinite {
            // Everything filtered away: uniform over the codes that are allowed.
            sum = 0
            for i in 0..<count {
                probabilities[i] = suppressed?[i] == true ? 0 : 1
                sum += probabilities[i]
            }
        }
        let u = random.nextDouble() * sum
        var cumulative = 0.0
        var last = 0
        for i in 0..<count where probabilities[i] > 0 {
            cumulative += probabilities[i]
            last = i
            if u < cumulative { return Int32(i) }
        }
        return Int32(last)
    }
}
