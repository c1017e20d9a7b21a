import Doppel
import DoppelParallel

PipelineTasks.register()
// Worker processes of the processes backend serve task requests here and exit.
WorkerProcess.runIfRequested()

/// `doppel-bench <benchmark> [options]`: one entry per benchmark; add new ones to the table.
let benchmarks: [(name: String, summary: String, run: ([String]) throws -> Void)] = [
    ("csv", "generate a mixed-type CSV and time CSVReader.read (--size-mb N, --dir PATH, --file PATH to read another file, --threads N, --generate-only, --write)", CSVBenchmark.run),
    ("csv-index", "cost per field of finding CSV field boundaries (byte loop, 16-byte compares, quote-aware index) next to the typed read, one thread (--file PATH or --size-mb N --dir PATH, --rounds N)", CSVIndexProbe.run),
    ("analyze", "analyze a generated numeric table through the executor: time and peak RSS (--rows N, --columns N, --partitions N, --backend B, --jobs N, --protection on|off, --dir PATH)", AnalyzeBenchmark.run),
    ("encode-seq", "encode a generated sequential workspace (--subjects N, --length N, --columns N, --backend B, --jobs N, --dir PATH)", EncodeSequentialBenchmark.run),
    ("arrow", "write and read an Arrow IPC file of a generated 4-column table (--rows N, --rounds N, --dir PATH)", ArrowBenchmark.run),
    ("parquet", "time ParquetReader.read and ParquetWriter.write on Parquet files (--files a,b --threads N --repeat N --write-dir DIR --write-codecs snappy,zstd)", ParquetBenchmark.run),
]

BenchCommandLine.dispatch(CommandLine.arguments, benchmarks: benchmarks)
