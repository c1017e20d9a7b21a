import DoppelParallel
import Testing
@testable import DoppelNN

@Suite struct MatMulTests {
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func sgemmMatchesNaiveKernel(transposeA: Bool, transposeB: Bool) {
        let (m, n, k) = (7, 5, 9)
        let a = GradientCheck.randomTensor(transposeA ? [k, m] : [m, k], seed: 1)
        let b = GradientCheck.randomTensor(transposeB ? [n, k] : [k, n], seed: 2)
        let fast = MatMul.matmul(a, b, transposeA: transposeA, transposeB: transposeB)
        let naive = MatMul.naiveMatmul(a, b, transposeA: transposeA, transposeB: transposeB)
        #expect(fast.shape == [m, n])
        #expect(fast.maxAbsDifference(naive) < 1e-5)
    }

    @Test func naiveKernelMatchesHandComputedProduct() {
        let a = Tensor(shape: [2, 3], storage: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], storage: [7, 8, 9, 10, 11, 12])
        #expect(MatMul.naiveMatmul(a, b).storage == [58, 64, 139, 154])
        #expect(MatMul.matmul(a, b).storage == [58, 64, 139, 154])
        // (Aᵀ)ᵀ·(Bᵀ)ᵀ through the transpose flags gives the same product.
        let at = Tensor(shape: [3, 2], storage: [1, 4, 2, 5, 3, 6])
        let bt = Tensor(shape: [2, 3], storage: [7, 9, 11, 8, 10, 12])
        #expect(MatMul.matmul(at, bt, transposeA: true, transposeB: true).storage == [58, 64, 139, 154])
    }

    @Test(arguments: [(false, false), (true, true)])
    func alphaBetaAndLeadingDimensionsOnSubBlocks(transposeA: Bool, transposeB: Bool) {
        // op(A) 3×4 and op(B) 4×2 stored inside wider matrices; C is a block of a 3×6 matrix.
        let (m, n, k) = (3, 2, 4)
        let lda = 10, ldb = 7, ldc = 6
        let aStore = GradientCheck.randomTensor([transposeA ? k : m, lda], seed: 3).storage
        let bStore = GradientCheck.randomTensor([transposeB ? n : k, ldb], seed: 4).storage
        let cStart = GradientCheck.randomTensor([m, ldc], seed: 5).storage
        var fast = cStart, naive = cStart
        aStore.withUnsafeBufferPointer { a in
            bStore.withUnsafeBufferPointer { b in
                fast.withUnsafeMutableBufferPointer { c in
                    MatMul.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                                a: a.baseAddress! + 1, lda: lda, b: b.baseAddress! + 2, ldb: ldb,
                                beta: 2, c: c.baseAddress! + 3, ldc: ldc)
                }
                naive.withUnsafeMutableBufferPointer { c in
                    MatMul.naiveGemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                                     a: a.baseAddress! + 1, lda: lda, b: b.baseAddress! + 2, ldb: ldb,
                                     beta: 2, c: c.baseAddress! + 3, ldc: ldc)
                }
            }
        }
        for i in 0..<fast.count { #expect(abs(fast[i] - naive[i]) < 1e-5) }
        // Columns outside the block are untouched.
        for row in 0..<m { for col in [0, 1, 2, 5] { #expect(fast[row * ldc + col] == cStart[row * ldc + col]) } }
        #expect(fast != cStart)
    }

    @Test func emptyInnerDimensionScalesC() {
        var c: [Float] = [1, 2, 3, 4]
        let dummy: [Float] = [0]
        dummy.withUnsafeBufferPointer { d in
            c.withUnsafeMutableBufferPointer { cp in
                MatMul.gemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 0, a: d.baseAddress!, lda: 1,
                            b: d.baseAddress!, ldb: 2, beta: 0.5, c: cp.baseAddress!, ldc: 2)
            }
        }
        #expect(c == [0.5, 1, 1.5, 2])
    }
}
