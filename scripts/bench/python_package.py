"""Benchmarks of the Python package (figures for BENCHMARKS.md).

memory:   splitting a DataFrame of about --gigabytes GB (int64, float64 and pyarrow large_string
          columns): the Python process's peak RSS during doppel.split, minus its RSS before it,
          against the frame's size (sampled from /proc/self/status every 5 ms).
overhead: census synthesize through the Python steps against `doppel synthesize` (same seed,
          same settings), wall time of each.

Usage: .venv/bin/python scripts/bench/python_package.py [memory|overhead|all] [--gigabytes 2] [--census PATH]
"""

import argparse
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

import doppel

REPOSITORY = Path(__file__).resolve().parents[2]


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class PeakSampler:
    def __init__(self):
        self.peak = rss_bytes()
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self):
        while self.running:
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.005)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss_bytes())


def big_frame(gigabytes: float) -> pd.DataFrame:
    rows = int(gigabytes * (1 << 30) / 132)  # 6 int64 + 6 float64 + 2 strings of ~10 bytes with 8-byte offsets
    rng = np.random.default_rng(0)
    columns = {f"i{k}": rng.integers(0, 1_000, rows) for k in range(6)}
    columns.update({f"f{k}": rng.normal(size=rows) for k in range(6)})
    words = pa.array([f"value{v:05d}" for v in range(1000)], pa.large_string())
    for k in range(2):
        columns[f"s{k}"] = pd.Series(pd.arrays.ArrowExtensionArray(words.take(pa.array(rng.integers(0, 1000, rows)))))
    return pd.DataFrame(columns)


def memory(gigabytes: float) -> None:
    frame = big_frame(gigabytes)
    size = int(frame.memory_usage(index=False, deep=True).sum())
    with tempfile.TemporaryDirectory() as folder:
        before = rss_bytes()
        with PeakSampler() as sampler:
            started = time.time()
            doppel.split(frame, workspace_dir=Path(folder) / "ws", parallel_backend="threads")
            wall = time.time() - started
        rise = sampler.peak - before
    print(f"memory: frame {size / 2**30:.2f} GiB ({len(frame):,} rows × {frame.shape[1]} columns); split {wall:.1f} s; "
          f"Python RSS before {before / 2**30:.2f} GiB, peak during split {sampler.peak / 2**30:.2f} GiB: "
          f"rise {rise / 2**20:.0f} MiB = {100 * rise / size:.1f} % of the frame")


def overhead(census: Path) -> None:
    binary = doppel.binary_path()
    with tempfile.TemporaryDirectory() as folder:
        started = time.time()
        subprocess.run([binary, "synthesize", str(census), "--workspace", f"{folder}/cli", "--output",
                        f"{folder}/cli.parquet", "--seed", "1", "--quiet"], check=True, stdout=subprocess.DEVNULL)
        cli = time.time() - started
        started = time.time()
        ws = Path(folder) / "py"
        doppel.set_random_state(1)
        frame = pd.read_csv(census)
        doppel.split(frame, workspace_dir=ws, update_progress=lambda **_: None)
        doppel.analyze(workspace_dir=ws, update_progress=lambda **_: None)
        doppel.encode(workspace_dir=ws, update_progress=lambda **_: None)
        doppel.train(workspace_dir=ws, update_progress=lambda **_: None)
        synthetic = doppel.generate(workspace_dir=ws, update_progress=lambda **_: None)
        python = time.time() - started
    print(f"overhead: census synthesize, CLI {cli:.1f} s, Python (read_csv + five steps + DataFrame back) {python:.1f} s: "
          f"{100 * (python / cli - 1):+.1f} % ({len(synthetic):,} rows)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="?", default="all", choices=["memory", "overhead", "all"])
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--census", type=Path, default=REPOSITORY.parent / "shared" / "data" / "census.csv.gz")
    arguments = parser.parse_args()
    if arguments.what in ("memory", "all"):
        memory(arguments.gigabytes)
    if arguments.what in ("overhead", "all"):
        overhead(arguments.census)
