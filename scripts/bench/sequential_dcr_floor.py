"""The DCR share the sequential protocol allows a generator that copies no training event.

The baseball protocol (scripts/bench/sequential-baseball) generates one sequence per training
player with the player's context copied, and `doppel evaluate` joins context columns to every
event row before measuring distances. This script scores two stand-in generators under exactly
that protocol: every training player gets (1) the seasons of a randomly drawn HELD-OUT player
(real events of people outside the training data), or (2) the seasons of another training
player. (1) is the floor for any generator that copies contexts and never memorises events.

Usage: .venv-reference/bin/python scripts/bench/sequential_dcr_floor.py --work DIR
  (DIR: the --work folder of a sequential-baseball run, with batting-trn.csv, players-trn.csv,
   batting-hol.csv and players-hol.csv)
"""

import argparse
import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]


def score(work: Path, synthetic: Path) -> float:
    metrics = synthetic.with_suffix(".json")
    subprocess.run([str(REPO / "scripts" / "doppel"), "evaluate", "--train", str(work / "batting-trn.csv"), "--context",
                    str(work / "players-trn.csv"), "--synthetic", str(synthetic), "--synthetic-context", str(work / "players-trn.csv"),
                    "--holdout", str(work / "batting-hol.csv"), "--holdout-context", str(work / "players-hol.csv"),
                    "--context-key", "players_id", "--context-primary-key", "id", "--json", str(metrics), "--force"],
                   check=True, capture_output=True)
    return json.loads(metrics.read_text())["distances"]["dcr_share"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, required=True)
    work = parser.parse_args().work
    trn, hol = pd.read_csv(work / "batting-trn.csv"), pd.read_csv(work / "batting-hol.csv")
    players = trn["players_id"].unique()
    held_out = {k: g for k, g in hol.groupby("players_id")}
    for seed in range(3):
        rng = np.random.default_rng(seed)
        parts = []
        for player in players:
            seasons = held_out[rng.choice(list(held_out))].copy()
            seasons["players_id"] = player
            parts.append(seasons)
        path = work / f"floor-holdout-events-{seed}.csv"
        pd.concat(parts).to_csv(path, index=False)
        print(f"held-out players' seasons on training contexts (draw {seed}): DCR share {score(work, path):.3f}")
    shuffled = trn.copy()
    shuffled["players_id"] = shuffled["players_id"].map(dict(zip(players, np.random.default_rng(0).permutation(players))))
    path = work / "floor-shuffled-training.csv"
    shuffled.to_csv(path, index=False)
    print(f"other training players' seasons on training contexts: DCR share {score(work, path):.3f}")


if __name__ == "__main__":
    main()
