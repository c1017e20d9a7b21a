// doppel-nn-bench: throughput of the neural core.
//
//   swift build -c release --product doppel-nn-bench
//   OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX .build/release/doppel-nn-bench
//
// Prints the OpenBLAS kernel in use, sgemm GFLOP/s at MLP shapes (all transpose variants used by
// the layers), and the time of one forward + backward + AdamW step of a grouped-head model
// shaped like TabularARGN's regressors and predictors, packed vs. one layer per head.
import DoppelNN
import DoppelParallel
#if canImport(Glibc)
import Glibc
#endif

let environment = ["OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE"].map { name in
    "\(name)=\(getEnvironment(name) ?? "(unset)")"
}.joined(separator: " ")
print("doppel-nn-bench: \(BLASRuntime.summary); avx512f: \(BLASRuntime.cpuHasAVX512F()); \(environment)")
BLASRuntime.useSingleThread()
// DOPPEL_NN_BENCH_MALLOC=default keeps glibc's defaults (to measure what the tuning buys).
let allocatorTuned = getEnvironment("DOPPEL_NN_BENCH_MALLOC") == "default" ? false : AllocatorTuning.retainFreedMemory()
print("glibc malloc tuned to retain freed memory: \(allocatorTuned)")

/// Sections to run: `sgemm`, `heads` (default: both), `heads50` or `heads200` alone, from the command line.
let sections = Set(CommandLine.arguments.dropFirst()).isEmpty ? ["sgemm", "heads"] : Set(CommandLine.arguments.dropFirst())

if sections.contains("sgemm") { runSGEMMBenchmark() }

let headShapes = sections.contains("heads200") ? [(512, 200, 64, 16, 2)] : sections.contains("heads50") ? [(512, 50, 64, 16, 16)]
    : sections.contains("heads") ? [(512, 50, 64, 16, 16), (512, 200, 64, 16, 2), (64, 50, 64, 16, 16)] : []
for shape in headShapes {
    let (b, g, i, h, c) = shape
    print("\nforward + backward + AdamW step: batch \(b), \(g) heads, regressor \(i)→\(h) on a masked shared input, predictor \(h)→\(c)")
    HeadModelBenchmark(batch: b, heads: g, inputs: i, hidden: h, classes: c).run()
}
