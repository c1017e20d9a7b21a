// doppel-nn-bench: throughput of the neural core.
//
//   swift build -c release --product doppel-nn-bench
//   OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX .build/release/doppel-nn-bench
//
// Prints the OpenBLAS kernel in use, sgemm GFLOP/s at MLP shapes (all transpose variants used
// by the layers) and the LSTM's forward + backward time at sequential-model shapes. The whole
// flat model's throughput is doppel-model-bench's job. `allreduce` (under mpirun) times the
// gradient sum across ranks.
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

/// Sections to run: `sgemm`, `lstm` (default: both), `allreduce` (under mpirun), from the command line.
let sections = Set(CommandLine.arguments.dropFirst()).isEmpty ? ["sgemm", "lstm"] : Set(CommandLine.arguments.dropFirst())
if sections.contains("sgemm") { runSGEMMBenchmark() }
if sections.contains("lstm") { runLSTMBenchmark() }
if sections.contains("allreduce") { runAllreduceBenchmark() }
