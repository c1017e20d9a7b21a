"""The dask and spark backends measured (BENCHMARKS.md, "Dask and Spark backends"):

1. Per-task overhead: `doppel analyze` of titanic split into few and into many partitions (one
   task per partition and column), with threads, processes, dask (a local cluster of 2 worker
   processes × 1 thread) and spark (local[2]); the difference between the two sizes over the
   difference in tasks gives wall ms and CPU ms per task, without the start-up. CPU is the
   whole machine's busy time (/proc/stat) during the run: it counts the driver, the Dask
   scheduler and workers, Spark's JVM and Python workers and every doppel process alike, so
   the machine must be otherwise idle.
2. The scaled case: a 10 M-row × 45-column sequential table (100,000 subjects × 100 events;
   numbers, categories and dates) with a 10-column context, split into 8 partitions, then
   analyze and encode with threads and on the 2-worker Dask cluster: wall time, peak RSS of the
   driver and of every Dask worker (its own process and the doppel task processes it ran),
   against the size of a partition file. Outputs are compared byte for byte.

Usage: .venv/bin/python scripts/bench/cluster_tasks.py [--work DIR] [--skip-scale] [--skip-spark]
Needs the doppel package installed in this Python (pip install ./python), dask[distributed],
pyspark and Java for the spark rows.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from doppel._engine import binary_path

REPOSITORY = Path(__file__).resolve().parents[2]
ENGINE = binary_path()


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq) since boot."""
    fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6]) / os.sysconf("SC_CLK_TCK")


def run(arguments, **kwargs) -> tuple[float, float, int]:
    """Wall seconds, the machine's busy CPU seconds and the command's peak RSS (KiB, its own
    process) of a doppel command."""
    before = machine_busy_seconds()
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", ENGINE, *map(str, arguments)], capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - started
    cpu = machine_busy_seconds() - before
    if done.returncode != 0:
        raise SystemExit(f"doppel {' '.join(map(str, arguments))} failed:\n{done.stderr}")
    peak = int(done.stderr.strip().splitlines()[-1])
    return wall, cpu, peak


class Cluster:
    """A Dask scheduler and `workers` worker processes on 127.0.0.1, stopped by PID."""

    def __init__(self, workers: int, folder: Path):
        from distributed import Client
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        dask = str(Path(sys.executable).parent / "dask")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
        self.processes = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard",
                                            "--dashboard-address", "127.0.0.1:0"], **quiet),
                          subprocess.Popen([dask, "worker", self.address, "--host", "127.0.0.1", "--nworkers", str(workers),
                                            "--nthreads", "1", "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                                            "--local-directory", str(folder), "--memory-limit", "0"], **quiet)]
        self.client = Client(self.address, timeout=60)
        self.client.wait_for_workers(workers, timeout=60)

    def peaks(self) -> dict[str, tuple[int, int]]:
        """Per worker: (its own peak RSS, the largest peak RSS of a task process it ran), KiB."""
        def measure():
            import resource as r
            return (r.getrusage(r.RUSAGE_SELF).ru_maxrss, r.getrusage(r.RUSAGE_CHILDREN).ru_maxrss)
        return self.client.run(measure)

    def stop(self):
        self.client.close()
        for process in reversed(self.processes):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def overhead(work: Path, cluster: Cluster | None, skip_spark: bool) -> None:
    titanic = REPOSITORY / "examples" / "titanic.csv"
    sizes = (4, 100)
    workspaces = {}
    for partitions in sizes:
        workspace = work / f"titanic-{partitions}"
        run(["split", "--data", titanic, "--workspace", workspace, "--partitions", partitions, "--quiet"])
        workspaces[partitions] = workspace
    tasks = {p: 8 * len(list((workspaces[p] / "OriginalData" / "tgt-data").glob("*.arrow"))) for p in sizes}
    backends = {"threads": ["--backend", "threads", "--jobs", "2"], "processes": ["--backend", "processes", "--jobs", "2"]}
    if cluster:
        backends["dask"] = ["--backend", "dask", "--scheduler", cluster.address, "--python", sys.executable]
    if not skip_spark and shutil.which("java"):
        backends["spark"] = ["--backend", "spark", "--master", "local[2]", "--python", sys.executable]
    print(f"per-task overhead: analyze of titanic in {sizes[0]} and {sizes[1]} partitions "
          f"({tasks[sizes[0]]} and {tasks[sizes[1]]} tasks)")
    print(f"{'backend':<10} {'wall (few)':>11} {'wall (many)':>12} {'ms/task wall':>13} {'ms/task CPU':>12}")
    for name, options in backends.items():
        measured = {}
        for partitions in sizes:
            best = None
            for _ in range(3):
                wall, cpu, _ = run(["analyze", "--workspace", workspaces[partitions], "--quiet", *options])
                best = (wall, cpu) if best is None or wall < best[0] else best
            measured[partitions] = best
        extra = tasks[sizes[1]] - tasks[sizes[0]]
        wall_ms = 1000 * (measured[sizes[1]][0] - measured[sizes[0]][0]) / extra
        cpu_ms = 1000 * (measured[sizes[1]][1] - measured[sizes[0]][1]) / extra
        print(f"{name:<10} {measured[sizes[0]][0]:>10.2f}s {measured[sizes[1]][0]:>11.2f}s {wall_ms:>13.2f} {cpu_ms:>12.2f}")


def scaled_table(folder: Path, subjects=100_000, events=100) -> tuple[Path, Path]:
    """100,000 subjects × 100 events × 45 columns (25 numeric, 15 categorical, 5 dates) and a
    10-column context, written as Parquet in slices (bounded memory)."""
    target, context = folder / "events.parquet", folder / "subjects.parquet"
    if target.exists() and context.exists():
        return target, context
    rng = np.random.default_rng(7)
    ids = np.arange(subjects)
    pq.write_table(pa.table({"id": ids, **{f"c{k}": (rng.integers(0, 8, subjects) if k % 2 else rng.normal(50, 10, subjects).round(1))
                                          for k in range(9)}}), context)
    writer = None
    per_slice = 10_000
    for first in range(0, subjects, per_slice):
        rows = per_slice * events
        columns = {"subject": np.repeat(ids[first:first + per_slice], events)}
        for k in range(25):
            columns[f"n{k}"] = rng.integers(0, 1000, rows) if k % 2 else rng.normal(0, 1, rows).round(3)
        for k in range(15):
            columns[f"k{k}"] = pa.array(np.array([f"v{v}" for v in range(12)])[rng.integers(0, 12, rows)])
        for k in range(5):
            columns[f"d{k}"] = (np.datetime64("2020-01-01") + rng.integers(0, 1500, rows).astype("timedelta64[D]"))
        table = pa.table(columns)
        writer = writer or pq.ParquetWriter(target, table.schema)
        writer.write_table(table)
    writer.close()
    return target, context


def scaled(work: Path, cluster: Cluster) -> None:
    target, context = scaled_table(work)
    local, remote = work / "scaled-threads", work / "scaled-dask"
    for workspace in (local, remote):
        shutil.rmtree(workspace, ignore_errors=True)
    wall, _, peak = run(["split", "--data", target, "--context", context, "--context-key", "subject", "--context-primary-key", "id",
                         "--workspace", local, "--partitions", 8, "--quiet"])
    shutil.copytree(local, remote)
    partitions = sorted((local / "OriginalData" / "tgt-data").glob("*.arrow"))
    largest = max(p.stat().st_size for p in partitions) / 2**20
    print(f"\nscaled case: 10,000,000 events × 45 columns, 100,000 subjects × 10 context columns; split into "
          f"{len(partitions)} target partitions (largest {largest:.0f} MiB) in {wall:.1f} s, peak RSS {peak / 1024:.0f} MiB")
    dask = ["--backend", "dask", "--scheduler", cluster.address, "--python", sys.executable]
    print(f"{'step':<8} {'backend':<8} {'wall':>8} {'driver peak RSS':>16}   workers: own peak / largest task process peak")
    for step in ("analyze", "encode"):
        wall, _, peak = run([step, "--workspace", local, "--quiet", "--backend", "threads", "--jobs", "2"])
        print(f"{step:<8} {'threads':<8} {wall:>7.1f}s {peak / 1024:>13.0f} MiB")
        # Fresh workers for each step, so that the peaks are this step's.
        cluster.client.restart()
        wall, _, peak = run([step, "--workspace", remote, "--quiet", *dask])
        workers = "; ".join(f"{own / 1024:.0f} / {task / 1024:.0f} MiB" for own, task in cluster.peaks().values())
        print(f"{step:<8} {'dask':<8} {wall:>7.1f}s {peak / 1024:>13.0f} MiB   {workers}")
    for folder in ("ModelStore/tgt-stats", "ModelStore/ctx-stats", "OriginalData/encoded-data"):
        a = {p.relative_to(local): p.read_bytes() for p in sorted((local / folder).rglob("*")) if p.is_file()}
        b = {p.relative_to(remote): p.read_bytes() for p in sorted((remote / folder).rglob("*")) if p.is_file()}
        print(f"{folder}: {'identical' if a == b else 'DIFFERENT'} ({len(a)} files)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "doppel-cluster-bench")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-spark", action="store_true")
    arguments = parser.parse_args()
    work = arguments.work
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("titanic-*"):
        shutil.rmtree(old)
    cluster = Cluster(2, work / "dask-workers")
    try:
        print(f"engine {ENGINE}; {os.cpu_count()} cores")
        overhead(work, cluster, arguments.skip_spark)
        if not arguments.skip_scale:
            scaled(work, cluster)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
