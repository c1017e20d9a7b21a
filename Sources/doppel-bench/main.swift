import Doppel

/// `doppel-bench <benchmark> [options]`: one entry per benchmark; add new ones to the table.
let benchmarks: [(name: String, summary: String, run: ([String]) throws -> Void)] = [
    ("csv", "generate a mixed-type CSV and time CSVReader.read (--size-mb N, --dir PATH, --threads N, --generate-only, --write)", CSVBenchmark.run),
    ("arrow", "write and read an Arrow IPC file of a generated 4-column table (--rows N, --rounds N, --dir PATH)", ArrowBenchmark.run),
    ("parquet", "time ParquetReader.read and ParquetWriter.write on Parquet files (--files a,b --threads N --repeat N --write-dir DIR --write-codecs snappy,zstd)", ParquetBenchmark.run),
]

BenchCommandLine.dispatch(CommandLine.arguments, benchmarks: benchmarks)
