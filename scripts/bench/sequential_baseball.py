"""Sequential data side by side: Doppel and the reference engine on the baseball tables.

Protocol (the sequential issue's): 20 % of the players are held out at random (numpy
default_rng(42).choice over the unique player ids in file order, size = a fifth of them), with
their seasons; each engine learns from the other players and their seasons and generates one
sequence of seasons per training player (the reference engine's default; Doppel's `generate`
default); `doppel evaluate` scores both against the training seasons, with the held-out players'
seasons as holdout (accuracy as mostlyai-qa 1.10, coherence, DCR share). Each engine runs its
whole pipeline under /usr/bin/time: Doppel split → analyze → encode → train → generate with its
defaults; the reference with its defaults and at most 10 minutes of training (the issue's
setting). Prints one table and writes results.json and results.md into the work folder.
"""
import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality_suite import REPO, timed  # noqa: E402  (one implementation of the timing)

METRICS = ("overall", "univariate", "bivariate", "trivariate", "coherence")


def split(data: Path, folder: Path) -> dict:
    players = pd.read_csv(data / "baseball-players.csv.gz", low_memory=False)
    batting = pd.read_csv(data / "baseball-batting.csv.gz", low_memory=False)
    ids = players["id"].unique()
    held = set(np.random.default_rng(42).choice(ids, size=len(ids) // 5, replace=False))
    paths = {name: folder / f"{name}.csv" for name in ("players-trn", "players-hol", "batting-trn", "batting-hol")}
    players[~players["id"].isin(held)].to_csv(paths["players-trn"], index=False)
    players[players["id"].isin(held)].to_csv(paths["players-hol"], index=False)
    batting[~batting["players_id"].isin(held)].to_csv(paths["batting-trn"], index=False)
    batting[batting["players_id"].isin(held)].to_csv(paths["batting-hol"], index=False)
    return paths


def doppel_command(paths: dict, folder: Path, seed: int, extra: list[str]) -> list[str]:
    doppel = shlex.quote(str(REPO / "scripts" / "doppel"))
    ws = shlex.quote(str(folder / "doppel-ws"))
    steps = [
        f"rm -rf {ws}",
        f"{doppel} split --data {paths['batting-trn']} --context {paths['players-trn']} --context-key players_id "
        f"--context-primary-key id --workspace {ws} --seed {seed}",
        f"{doppel} analyze --workspace {ws} --seed {seed}",
        f"{doppel} encode --workspace {ws} --seed {seed}",
        f"{doppel} train --workspace {ws} --seed {seed} " + " ".join(shlex.quote(a) for a in extra),
        f"{doppel} generate --workspace {ws} --seed {seed} --output {folder / 'syn-doppel.csv'} --force",
    ]
    return ["bash", "-c", " && ".join(steps)]


def reference_command(paths: dict, folder: Path, seed: int, minutes: float) -> list[str]:
    return [sys.executable, str(REPO / "scripts" / "bench" / "reference_synthesize.py"), str(paths["batting-trn"]),
            str(folder / "syn-reference.csv"), "--context", str(paths["players-trn"]), "--context-key", "players_id",
            "--context-primary-key", "id", "--seed", str(seed), "--max-training-minutes", str(minutes)]


def score(paths: dict, synthetic: Path, folder: Path, name: str) -> dict:
    import subprocess
    metrics = folder / f"metrics-{name}.json"
    result = subprocess.run([str(REPO / "scripts" / "doppel"), "evaluate", "--train", str(paths["batting-trn"]),
                             "--context", str(paths["players-trn"]), "--synthetic", str(synthetic),
                             "--synthetic-context", str(paths["players-trn"]), "--holdout", str(paths["batting-hol"]),
                             "--holdout-context", str(paths["players-hol"]), "--context-key", "players_id",
                             "--context-primary-key", "id", "--json", str(metrics), "--force",
                             "--report", str(folder / f"report-{name}.html")], capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": result.stderr.strip()[-300:]}
    data = json.loads(metrics.read_text())
    return {key: data["accuracy"].get(key) for key in METRICS} | {"dcr_share": data.get("distances", {}).get("dcr_share")}


def table_text(results: dict) -> str:
    lines = ["| engine | wall s | peak MiB | overall | univariate | bivariate | trivariate | coherence | DCR share |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for engine, f in results.items():
        if "error" in f:
            lines.append(f"| {engine} | {f['error']} ||||||||")
            continue
        cells = [f"{f['wall_s']:.0f}", f"{f['peak_mib']:.0f}"] + [
            "–" if f.get(k) is None else f"{f[k]:.3f}" for k in (*METRICS, "dcr_share")]
        lines.append(f"| {engine} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="folder with baseball-players.csv.gz and baseball-batting.csv.gz")
    parser.add_argument("--work", type=Path, default=REPO / "bench-data" / "sequential-baseball")
    parser.add_argument("--engines", default="doppel,reference")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reference-minutes", type=float, default=10, help="the reference's training time limit")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per engine")
    parser.add_argument("--doppel-train-arg", action="append", default=[], help="extra argument for doppel train (repeatable)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    paths = split(args.data, args.work)
    results = {}
    for engine in args.engines.split(","):
        print(f"[{time.strftime('%H:%M:%S')}] {engine}", flush=True)
        command = (doppel_command(paths, args.work, args.seed, args.doppel_train_arg) if engine == "doppel"
                   else reference_command(paths, args.work, args.seed, args.reference_minutes))
        figures = timed(command, args.work / f"{engine}.log", args.timeout)
        if "error" not in figures:
            figures |= score(paths, args.work / f"syn-{engine}.csv", args.work, engine)
        results[engine] = figures
    text = table_text(results)
    (args.work / "results.json").write_text(json.dumps(results, indent=1))
    (args.work / "results.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
