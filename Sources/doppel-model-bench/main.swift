import Foundation
import DoppelModel
import DoppelNN
#if canImport(Glibc)
import Glibc
#endif

// doppel-model-bench [epochs] [size S|M|L]
// doppel-model-bench census <codes file from scripts/bench/census-codes.py> [epochs] [S|M|L]
// Trains the flat model on 40,000 census-like rows (+ 4,000 validation rows) and generates 40,000 rows.
// Run with OPENBLAS_NUM_THREADS=1 and, on AVX-512 CPUs, OPENBLAS_CORETYPE=SkylakeX (docs/model.md).

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

BLASRuntime.useSingleThread()
_ = AllocatorTuning.retainFreedMemory()
let arguments = CommandLine.arguments
if arguments.count > 2, arguments[1] == "census" {
    // doppel-model-bench census <codes file> [epochs] [S|M|L]
    try CensusBenchmark.run(path: arguments[2], epochs: arguments.count > 3 ? Int(arguments[3]) ?? 100 : 100,
                            size: arguments.count > 4 ? ModelSize(rawValue: arguments[4]) ?? .medium : .medium)
    exit(0)
}
if arguments.count > 1, arguments[1] == "train" {
    // doppel-model-bench train <directory> <epochs> [resume]: a small deterministic training run,
    // used by the kill -9 / resume test.
    do {
        try InterruptibleTraining.run(directory: arguments[2], epochs: Int(arguments[3]) ?? 4, resume: arguments.count > 4)
        exit(0)
    } catch {
        print("error: \(error)")
        exit(1)
    }
}
let epochs = arguments.count > 1 ? Int(arguments[1]) ?? 3 : 3
let size = arguments.count > 2 ? ModelSize(rawValue: arguments[2]) ?? .medium : .medium
let training = SyntheticCensus.codes(rows: 40_000, seed: 1)
let validation = SyntheticCensus.codes(rows: 4_000, seed: 2)
let architecture = FlatModelArchitecture.resolve(schema: SyntheticCensus.schema, size: size)
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-model-bench-\(getpid())").path
defer { try? FileManager.default.removeItem(atPath: directory) }

print("\(BLASRuntime.summary); \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("schema: \(SyntheticCensus.schema.columns.count) columns, \(SyntheticCensus.schema.subColumnCount) sub-columns; model \(size.rawValue)")
var options = TrainingOptions(maxEpochs: epochs, seed: 1)
options.progressInterval = 1e9
let start = Date()
let cpuStart = cpuSeconds()
var epochSeconds: [Double] = []
var last = 0.0
let result = try Trainer.train(architecture: architecture, training: training, validation: validation, options: options,
                               directory: directory) { p in
    if p.validationLoss != nil {
        epochSeconds.append(p.elapsedSeconds - last)
        last = p.elapsedSeconds
        print(p.message)
    }
}
let trainSeconds = Date().timeIntervalSince(start)
let trainCPU = cpuSeconds() - cpuStart
print("parameters: \(result.model.parameterCount) (\(result.model.effectiveParameterCount) without structural zeros), batch \(result.summary.batchSize), lr \(result.summary.initialLearningRate)")
print(String(format: "training: %d epochs, %d rows in %.2f s (incl. validation + checkpoints) = %.0f rows/s; best epoch %.0f s/epoch",
             result.summary.epochs, result.summary.samples, trainSeconds, Double(result.summary.samples) / trainSeconds,
             epochSeconds.min() ?? 0))
print(String(format: "  fastest epoch: %.0f training rows/s", Double(result.summary.samples / max(1, result.summary.epochs)) / (epochSeconds.min() ?? 1)))

// On a shared machine wall time depends on the load; CPU time does not. With two shards in
// parallel, 2 dedicated cores would run at most 2 CPU-seconds per second.
print(String(format: "  CPU time: %.2f s (%.0f rows per CPU-second; %.0f rows/s on 2 dedicated cores if both stay busy)",
             trainCPU, Double(result.summary.samples) / trainCPU, 2 * Double(result.summary.samples) / trainCPU))

let generationStart = Date()
let generationCPUStart = cpuSeconds()
let generated = try Sampler.generate(model: result.model, rows: 40_000, options: SamplingOptions(seed: 1))
let generationSeconds = Date().timeIntervalSince(generationStart)
let generationCPU = cpuSeconds() - generationCPUStart
print(String(format: "generation: %d rows in %.2f s = %.0f rows/s", generated.rowCount, generationSeconds,
             Double(generated.rowCount) / generationSeconds))
print(String(format: "  CPU time: %.2f s", generationCPU))
print(String(format: "peak RSS: %.1f MiB", peakRSSMiB()))
