"""The sequential issue's motivating case at scale (BENCHMARKS.md, "Sequential data at scale").

A generated target table of SUBJECTS subjects × EVENTS events × 45 columns (25 numeric,
15 categorical, 5 dates), key `subject`, with a 10-column context (`id` and 9 columns, one row
per subject), both written as Parquet in slices of about a million rows (bounded memory). Then
each pipeline step runs as its own `doppel` process under `/usr/bin/time`: split (the target
read row group by row group), analyze, encode, one training epoch (`train --max-epochs 1`) and
generation of GENERATE subjects with their context and sequences. Prints each step's wall time
and peak RSS, and the training throughput in events per second from the model's progress file.

The defaults are the issue's: 1,000,000 subjects × 30 events (30 M rows), 100,000 generated.
`--subjects 33334` runs the same at a thirtieth of the size.

Usage: python3 scripts/bench/sequential_scale.py --work DIR [--subjects N] [--events N]
           [--generate N] [--partitions N] [--model S|M|L] [--binary PATH]
Needs numpy and pyarrow (`.venv` has both); the release build of doppel (scripts/setup.sh release).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPOSITORY = Path(__file__).resolve().parents[2]


def make_tables(folder: Path, subjects: int, events: int) -> tuple[Path, Path]:
    """Writes (once) the context and target Parquet files; returns their paths."""
    target = folder / f"events-{subjects}x{events}.parquet"
    context = folder / f"subjects-{subjects}.parquet"
    if target.exists() and context.exists():
        return target, context
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    ids = np.arange(subjects)
    context_columns = {"id": ids}
    for k in range(9):
        context_columns[f"c{k}"] = rng.integers(0, 8, subjects) if k % 2 else rng.normal(50, 10, subjects).round(1)
    pq.write_table(pa.table(context_columns), context)
    categories = np.array([f"v{v}" for v in range(12)])
    per_slice = max(1, 1_000_000 // events)
    writer = None
    for first in range(0, subjects, per_slice):
        chunk = ids[first:first + per_slice]
        rows = len(chunk) * events
        # Subjects' events interleaved, so that split and encode must group them.
        columns = {"subject": np.tile(chunk, events)}
        for k in range(25):
            columns[f"n{k}"] = rng.integers(0, 1000, rows) if k % 2 else rng.normal(0, 1, rows).round(3)
        for k in range(15):
            columns[f"k{k}"] = pa.array(categories[rng.integers(0, 12, rows)])
        for k in range(5):
            columns[f"d{k}"] = np.datetime64("2020-01-01") + rng.integers(0, 1500, rows).astype("timedelta64[D]")
        table = pa.table(columns)
        writer = writer or pq.ParquetWriter(target, table.schema)
        writer.write_table(table, row_group_size=1_000_000)
    writer.close()
    return target, context


def run(binary: str, arguments: list) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one doppel command; its output goes to our stdout."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "peak-rss-kib %M", binary, *map(str, arguments)],
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    lines = done.stderr.strip().splitlines()
    if done.returncode != 0:
        raise SystemExit(f"doppel {' '.join(map(str, arguments))} failed:\n{done.stderr}")
    peak = int(lines[-1].split()[-1]) // 1024
    return wall, peak


def training_throughput(workspace: Path, training_events: int) -> str:
    """The sequence model's epoch as the progress file records it: seconds and events per second
    (training events over the epoch's seconds, its validation pass included)."""
    progress = workspace / "ModelStore" / "model-data" / "progress.csv"
    rows = list(csv.DictReader(progress.open())) if progress.exists() else []
    if not rows:
        return "no progress file"
    seconds = float(rows[-1]["elapsed_seconds"])
    return (f"sequence model: {rows[-1]['epoch']} epoch(s), {rows[-1]['steps']} steps, {seconds:.0f} s, "
            f"{training_events / seconds:,.0f} training events per second (about {training_events:,} events)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--generate", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--model", default="M")
    parser.add_argument("--binary", default=str(REPOSITORY / ".build" / "release" / "doppel"))
    parser.add_argument("--steps", default="split,analyze,encode,train,generate")
    options = parser.parse_args()

    started = time.perf_counter()
    target, context = make_tables(options.work / "data", options.subjects, options.events)
    print(f"tables: {target} ({target.stat().st_size / 2**20:.0f} MiB), {context}; "
          f"made or found in {time.perf_counter() - started:.0f} s", flush=True)
    workspace = options.work / f"ws-{options.subjects}x{options.events}"
    output = options.work / f"out-{options.subjects}x{options.events}"
    steps = {
        "split": ["split", "--data", target, "--context", context, "--context-key", "subject",
                  "--context-primary-key", "id", "--workspace", workspace, "--partitions", options.partitions, "--seed", 42],
        "analyze": ["analyze", "--workspace", workspace],
        "encode": ["encode", "--workspace", workspace],
        "train": ["train", "--workspace", workspace, "--model", options.model, "--max-epochs", 1, "--seed", 42],
        "generate": ["generate", "--workspace", workspace, "--rows", options.generate, "--seed", 42,
                     "--output", output / "events.parquet"],
    }
    chosen = options.steps.split(",")
    if "split" in chosen:
        shutil.rmtree(workspace, ignore_errors=True)
    if "generate" in chosen:
        shutil.rmtree(output, ignore_errors=True)
        output.mkdir(parents=True)
    results = []
    for name in chosen:
        print(f"== {name}", flush=True)
        wall, peak = run(options.binary, steps[name])
        results.append((name, wall, peak))
        print(f"== {name}: {wall:.1f} s, peak RSS {peak} MiB", flush=True)
    rows = options.subjects * options.events
    print(f"\n{options.subjects:,} subjects × {options.events} events = {rows:,} rows × 45 columns, "
          f"context 10 columns; model {options.model}; {options.partitions} partitions")
    print("| step | wall | peak RSS |")
    print("| --- | --- | --- |")
    for name, wall, peak in results:
        print(f"| {name} | {wall:.1f} s | {peak:,} MiB |")
    if "train" in chosen:
        print(training_throughput(workspace, round(rows * 0.8)))


if __name__ == "__main__":
    main()
