"""Synthesizes a flat table with the reference engine (mostlyai-engine), all defaults, one seed.

Usage: reference_synthesize.py TRAIN.csv OUTPUT.csv --seed 42 [--workspace DIR] [--max-training-minutes M]

Runs split → analyze → encode → train → generate in a fresh workspace, with as many rows as the
training table, and writes the synthetic rows as CSV. Run it under /usr/bin/time to measure wall
time and peak memory of the whole pipeline.
"""
import argparse
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from mostlyai import engine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("train")
    parser.add_argument("output")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workspace")
    parser.add_argument("--max-training-minutes", type=float)
    args = parser.parse_args()

    data = pd.read_csv(args.train, low_memory=False)
    workspace = Path(args.workspace or tempfile.mkdtemp(prefix="reference-ws-"))
    shutil.rmtree(workspace, ignore_errors=True)
    engine.set_random_state(args.seed)
    engine.split(tgt_data=data, workspace_dir=workspace)
    engine.analyze(workspace_dir=workspace)
    engine.encode(workspace_dir=workspace)
    train_options = {}
    if args.max_training_minutes:
        train_options["max_training_time"] = args.max_training_minutes
    engine.train(workspace_dir=workspace, **train_options)
    engine.generate(workspace_dir=workspace, sample_size=len(data))
    synthetic = pd.read_parquet(workspace / "SyntheticData")
    synthetic.to_csv(args.output, index=False)
    if not args.workspace:
        shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    main()
