"""Synthesizes a table with the reference engine (mostlyai-engine), all defaults, one seed.

Usage:
  reference_synthesize.py TRAIN.csv OUTPUT.csv --seed 42 [--workspace DIR] [--max-training-minutes M]
  reference_synthesize.py EVENTS.csv OUTPUT.csv --context SUBJECTS.csv --context-key K --context-primary-key P [...]

Runs split → analyze → encode → train → generate in a fresh workspace and writes the synthetic
rows as CSV: for a flat table as many rows as the training table; for sequential data (a context
table given) one sequence per row of the training context, the reference's default. Run it under
/usr/bin/time to measure wall time and peak memory of the whole pipeline.
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
    parser.add_argument("--context", help="context table (sequential data)")
    parser.add_argument("--context-key", help="column of the events that refers to the context")
    parser.add_argument("--context-primary-key", help="primary key of the context table")
    args = parser.parse_args()

    data = pd.read_csv(args.train, low_memory=False)
    workspace = Path(args.workspace or tempfile.mkdtemp(prefix="reference-ws-"))
    shutil.rmtree(workspace, ignore_errors=True)
    engine.set_random_state(args.seed)
    if args.context:
        context = pd.read_csv(args.context, low_memory=False)
        engine.split(tgt_data=data, ctx_data=context, tgt_context_key=args.context_key,
                     ctx_primary_key=args.context_primary_key or args.context_key, workspace_dir=workspace)
    else:
        engine.split(tgt_data=data, workspace_dir=workspace)
    engine.analyze(workspace_dir=workspace)
    engine.encode(workspace_dir=workspace)
    train_options = {}
    if args.max_training_minutes:
        train_options["max_training_time"] = args.max_training_minutes
    engine.train(workspace_dir=workspace, **train_options)
    if args.context:
        engine.generate(workspace_dir=workspace)
    else:
        engine.generate(workspace_dir=workspace, sample_size=len(data))
    synthetic = pd.read_parquet(workspace / "SyntheticData")
    synthetic.to_csv(args.output, index=False)
    if not args.workspace:
        shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    main()
