"""DP-SGD on census (BENCHMARKS.md): the same 80/20 split trained without privacy and with DP-SGD
at ε = 8 and ε = 1 (δ = 1e-5, clipping norm 1; the noise multiplier either the reference's 1.5 or
calibrated so that the 100 epochs spend the budget), each generated and scored by `doppel evaluate`
against the held-out rows: accuracy, DCR share, training time, epochs, ε spent, noise multiplier.

Usage: .venv-reference/bin/python scripts/bench/census_dp.py --data ../shared/data/census.csv.gz [--work DIR]
"""

import argparse
import json
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DOPPEL = str(REPO / "scripts" / "doppel")


def run(*arguments: str) -> None:
    subprocess.run([DOPPEL, *arguments, "--quiet"], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=REPO / "bench-data" / "census-dp")
    work = parser.parse_args().work
    args = parser.parse_args()
    work.mkdir(parents=True, exist_ok=True)
    frame = pd.read_csv(args.data)
    holdout = np.random.default_rng(42).random(len(frame)) < 0.2
    frame[~holdout].to_csv(work / "trn.csv", index=False)
    frame[holdout].to_csv(work / "hol.csv", index=False)
    print("| run | training s | epochs | stop | σ | ε spent | overall | uni | bi | tri | DCR share | MIA AUC |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    runs = [("no privacy", [])]
    for budget in ("8", "1"):
        runs += [(f"DP-SGD ε ≤ {budget}, σ 1.5", ["--max-epsilon", budget]),
                 (f"DP-SGD ε ≤ {budget}, σ calibrated", ["--max-epsilon", budget, "--noise-multiplier", "auto"])]
    for index, (name, extra) in enumerate(runs):
        ws = str(work / f"ws-{index}")
        run("split", "--data", str(work / "trn.csv"), "--workspace", ws, "--seed", "1")
        run("analyze", "--workspace", ws, "--seed", "1")
        run("encode", "--workspace", ws, "--seed", "1")
        started = time.monotonic()
        run("train", "--workspace", ws, "--seed", "1", *extra)
        seconds = time.monotonic() - started
        syn = work / f"syn-{index}.csv"
        run("generate", "--workspace", ws, "--seed", "1", "--output", str(syn), "--force")
        metrics = work / (syn.stem + ".json")
        subprocess.run([DOPPEL, "evaluate", "--train", str(work / "trn.csv"), "--synthetic", str(syn), "--holdout", str(work / "hol.csv"),
                        "--json", str(metrics), "--force"], check=True, capture_output=True)
        m = json.loads(metrics.read_text())
        t = json.loads((Path(ws) / "ModelStore" / "model-data" / "model.json").read_text())["training"]
        a = m["accuracy"]
        eps, sigma = t.get("privacyEpsilon"), t.get("privacyNoiseMultiplier")
        print(f"| {name} | {seconds:.1f} | {t['epochs']} | {t['stopReason']} | {'–' if sigma is None else f'{sigma:.3f}'} | "
              f"{'–' if eps is None else f'{eps:.2f}'} | {a['overall']:.3f} | {a['univariate']:.3f} | {a['bivariate']:.3f} | "
              f"{a['trivariate']:.3f} | {m['distances']['dcr_share']:.3f} | {m['distances']['mia_auc']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
