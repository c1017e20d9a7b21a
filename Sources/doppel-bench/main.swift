import Doppel

/// `doppel-bench <benchmark> [options]`: one entry per benchmark; add new ones to the table.
let benchmarks: [(name: String, summary: String, run: ([String]) throws -> Void)] = [
    ("csv", "generate a mixed-type CSV and time CSVReader.read (--size-mb N, --dir PATH, --threads N, --generate-only)", CSVBenchmark.run),
]

BenchCommandLine.dispatch(CommandLine.arguments, benchmarks: benchmarks)
