import Foundation
import Testing
@testable import DoppelNN

/// The accountant against published values and closed forms.
@Suite struct RDPAccountantTests {
    /// Opacus's accountant test (its `test_rdp_accountant`): σ = 1.5, q = 0.04, 2,250 steps
    /// (90 epochs), δ = 1e-5 → ε = 7.32911117143, with the same orders and conversion.
    @Test func matchesOpacusPublishedValue() {
        let epsilon = RDPAccountant.epsilon(noiseMultiplier: 1.5, sampleRate: 0.04, steps: Int(90 / 0.04), delta: 1e-5)
        #expect(abs(epsilon - 7.32911117143) < 1e-4, "ε = \(epsilon)")
    }

    /// Without sampling (q = 1) the Gaussian mechanism's RDP is α / (2σ²) at every order.
    @Test func fullBatchIsTheGaussianMechanism() {
        for alpha in [1.5, 2, 7.3, 32] {
            #expect(abs(RDPAccountant.sampledGaussianRDP(q: 1, sigma: 2, alpha: alpha) - alpha / 8) < 1e-12)
        }
    }

    /// Integer and fractional orders agree where they meet, and RDP grows with the order and q.
    @Test func integerAndFractionalOrdersAgree() {
        let integer = RDPAccountant.sampledGaussianRDP(q: 0.01, sigma: 1.1, alpha: 3)
        let nearby = RDPAccountant.sampledGaussianRDP(q: 0.01, sigma: 1.1, alpha: 3.000001)
        #expect(abs(integer - nearby) / integer < 1e-3)
        #expect(RDPAccountant.sampledGaussianRDP(q: 0.01, sigma: 1.1, alpha: 4) > integer)
        #expect(RDPAccountant.sampledGaussianRDP(q: 0.02, sigma: 1.1, alpha: 3) > integer)
    }

    /// Opacus's `test_get_noise_multiplier`: ε = 8, δ = 1e-5, q = 0.04, 90 epochs → σ ≈ 1.4253
    /// (Opacus stops its search within ε ± 0.01, so σ agrees to about 0.01).
    @Test func noiseMultiplierForABudget() {
        let sigma = RDPAccountant.noiseMultiplier(epsilon: 8, delta: 1e-5, sampleRate: 0.04, steps: Int(90 / 0.04))
        #expect(abs(sigma - 1.425307617) < 0.01, "σ = \(sigma)")
        #expect(RDPAccountant.epsilon(noiseMultiplier: sigma, sampleRate: 0.04, steps: Int(90 / 0.04), delta: 1e-5) <= 8)
    }

    @Test func composesStepByStep() {
        var a = RDPAccountant(), b = RDPAccountant()
        for _ in 0..<10 { a.step(noiseMultiplier: 1.2, sampleRate: 0.05) }
        b.step(noiseMultiplier: 1.2, sampleRate: 0.05, count: 10)
        #expect(a.steps == 10)
        for (x, y) in zip(a.rdp, b.rdp) { #expect(abs(x - y) <= 1e-12 * max(1, abs(x))) }
    }
}

