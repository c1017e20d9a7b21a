import Testing
@testable import DoppelNN

@Suite struct BLASRuntimeTests {
    @Test func reportsCoreNameAndSetsSingleThread() {
        #expect(!BLASRuntime.coreName.isEmpty)
        #expect(BLASRuntime.coreName != "unknown")
        BLASRuntime.useSingleThread()
        #expect(BLASRuntime.threadCount == 1)
        #expect(BLASRuntime.summary.contains(BLASRuntime.coreName))
    }

    @Test func detectsAVX512FlagInCpuinfoText() {
        let with = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512dq\n"
        let without = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512\nbugs\t: avx512f\n"
        #expect(BLASRuntime.cpuinfoListsAVX512F(with))
        #expect(!BLASRuntime.cpuinfoListsAVX512F(without))
        #expect(!BLASRuntime.cpuHasAVX512F(cpuinfoPath: "/nonexistent/cpuinfo"))
    }

    @Test func recommendedEnvironmentFollowsTheCPU() {
        #expect(BLASRuntime.recommendedEnvironment(cpuHasAVX512F: true)
                == ["OPENBLAS_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "SkylakeX"])
        #expect(BLASRuntime.recommendedEnvironment(cpuHasAVX512F: false) == ["OPENBLAS_NUM_THREADS": "1"])
    }

    /// A restart adds only what is missing, keeps the user's own settings, and never happens twice.
    @Test func restartAddsOnlyMissingSettings() {
        let recommended = BLASRuntime.recommendedEnvironment(cpuHasAVX512F: true)
        #expect(BLASRuntime.missingSettings(in: ["PATH": "/bin"], recommended: recommended) == recommended)
        #expect(BLASRuntime.missingSettings(in: ["OPENBLAS_CORETYPE": "Haswell"], recommended: recommended) == ["OPENBLAS_NUM_THREADS": "1"])
        #expect(BLASRuntime.missingSettings(in: ["DOPPEL_BLAS_ENVIRONMENT": "1"], recommended: recommended).isEmpty)
        #expect(BLASRuntime.missingSettings(in: recommended, recommended: recommended).isEmpty)
    }
}

@Suite struct AllocatorTuningTests {
    @Test func glibcAcceptsTheSettings() {
        #if canImport(Glibc)
        #expect(AllocatorTuning.retainFreedMemory())
        #endif
        // Allocation still works afterwards.
        let big = [Float](repeating: 1, count: 1 << 20)
        #expect(big.count == 1 << 20)
    }
}
