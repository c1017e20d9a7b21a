"""Flat-table quality suite: Doppel and the reference engine side by side on public tables.

Each table is split 80/20 by rows with a fixed seed (numpy default_rng(42)); each engine
synthesizes as many rows as the training part from the training part alone (its own defaults,
one seed), under /usr/bin/time for wall time and peak RSS; both synthetic tables are scored by
`doppel evaluate` (the mostlyai-qa 1.10 metrics) against the same training and holdout parts.
Prints one table (and writes results.json and results.md into the work folder).

Tables: six public tables from a data folder (--data: census.csv.gz, housing_at.csv.gz,
california-household.parquet, baseball-players.csv.gz, cdnow-purchases.csv.gz, titanic.csv) and
six that the statsmodels package ships (fair, randhie, anes96, modechoice, star98, grunfeld):
zero-inflated rates and counts, skewed and wide-range amounts, integer-valued numerics.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]


def shared(name):
    def load(data_dir: Path) -> pd.DataFrame:
        path = data_dir / name
        if not path.exists():
            raise FileNotFoundError(f"{path} not found (pass --data with the folder that holds it)")
        return pd.read_parquet(path) if name.endswith(".parquet") else pd.read_csv(path, low_memory=False)
    return load


def statsmodels_table(name):
    def load(_: Path) -> pd.DataFrame:
        import statsmodels.api as sm
        return getattr(sm.datasets, name).load_pandas().data
    return load


def without(columns, loader):
    def load(data_dir: Path) -> pd.DataFrame:
        return loader(data_dir).drop(columns=columns)
    return load


def sampled(rows, loader):
    def load(data_dir: Path) -> pd.DataFrame:
        frame = loader(data_dir)
        if len(frame) <= rows:
            return frame
        keep = np.sort(np.random.default_rng(7).choice(len(frame), size=rows, replace=False))
        return frame.iloc[keep].reset_index(drop=True)
    return load


# name → loader; keys (row ids, subject ids) are dropped: the suite scores flat attributes.
TABLES = {
    "grunfeld": statsmodels_table("grunfeld"),
    "star98": statsmodels_table("star98"),
    "modechoice": statsmodels_table("modechoice"),
    "anes96": statsmodels_table("anes96"),
    "titanic": shared("titanic.csv"),
    "fair": statsmodels_table("fair"),
    "randhie": statsmodels_table("randhie"),
    "baseball-players": without(["id"], shared("baseball-players.csv.gz")),
    "california-household": sampled(20_000, shared("california-household.parquet")),
    "housing_at": shared("housing_at.csv.gz"),
    "census": shared("census.csv.gz"),
    "cdnow-purchases": without(["users_id"], shared("cdnow-purchases.csv.gz")),
}


def split(frame: pd.DataFrame, folder: Path) -> tuple[Path, Path]:
    """80/20 by rows, numpy default_rng(42); returns the training and holdout CSV paths."""
    order = np.random.default_rng(42).permutation(len(frame))
    holdout_rows = len(frame) // 5
    train, holdout = folder / "trn.csv", folder / "hol.csv"
    frame.iloc[np.sort(order[holdout_rows:])].to_csv(train, index=False)
    frame.iloc[np.sort(order[:holdout_rows])].to_csv(holdout, index=False)
    return train, holdout


def timed(command: list[str], log: Path, timeout: float) -> dict:
    """Runs `command` under /usr/bin/time; returns wall seconds and peak RSS in MiB (or an error)."""
    measure = log.with_suffix(".time")
    started = time.monotonic()
    with open(log, "w") as out:
        try:
            result = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", str(measure), *command],
                                    stdout=out, stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s"}
    if result.returncode != 0:
        return {"error": f"exit {result.returncode}, see {log}", "wall_s": time.monotonic() - started}
    wall, peak_kib = measure.read_text().split()[-2:]
    return {"wall_s": float(wall), "peak_mib": int(peak_kib) / 1024}


def score(doppel: Path, train: Path, holdout: Path, synthetic: Path, folder: Path, name: str) -> dict:
    metrics = folder / f"metrics-{name}.json"
    result = subprocess.run([str(doppel), "evaluate", "--train", str(train), "--synthetic", str(synthetic), "--holdout",
                             str(holdout), "--json", str(metrics), "--report", str(folder / f"report-{name}.html"), "--force"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": result.stderr.strip()[-300:]}
    data = json.loads(metrics.read_text())
    accuracy = data["accuracy"]
    return {key: accuracy.get(key) for key in ("overall", "univariate", "bivariate", "trivariate")} | {
        "dcr_share": data.get("distances", {}).get("dcr_share")}


def run_table(name: str, args, work: Path) -> dict:
    folder = work / name
    folder.mkdir(parents=True, exist_ok=True)
    frame = TABLES[name](args.data)
    train, holdout = split(frame, folder)
    row = {"table": name, "rows": len(frame), "columns": frame.shape[1], "engines": {}}
    doppel = REPO / "scripts" / "doppel"
    commands = {
        "doppel": [str(doppel), "synthesize", str(train), "--output", str(folder / "syn-doppel.csv"), "--seed", str(args.seed), "--force",
                   *args.doppel_arg],
        "reference": [sys.executable, str(REPO / "scripts" / "bench" / "reference_synthesize.py"), str(train),
                      str(folder / "syn-reference.csv"), "--seed", str(args.seed)]
                     + (["--max-training-minutes", str(args.reference_minutes)] if args.reference_minutes else []),
    }
    for engine in args.engines:
        saved = folder / f"{engine}.result.json"
        if engine in args.reuse and saved.exists():
            print(f"[{time.strftime('%H:%M:%S')}] {name}: {engine}: figures of an earlier run ({saved})", flush=True)
            row["engines"][engine] = json.loads(saved.read_text()) | {"reused": True}
            continue
        print(f"[{time.strftime('%H:%M:%S')}] {name}: {engine}", flush=True)
        figures = timed(commands[engine], folder / f"{engine}.log", args.timeout)
        if "error" not in figures:
            figures |= score(doppel, train, holdout, folder / f"syn-{engine}.csv", folder, engine)
        saved.write_text(json.dumps(figures))
        row["engines"][engine] = figures
    return row


def cell(value, digits=3):
    return "–" if value is None else f"{value:.{digits}f}"


def table_text(rows: list[dict], engines: list[str]) -> str:
    lines = ["| table | rows × cols | engine | wall s | peak MiB | overall | uni | bi | tri | DCR share |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        for engine in engines:
            f = row["engines"].get(engine, {})
            if "error" in f:
                lines.append(f"| {row['table']} | {row['rows']:,} × {row['columns']} | {engine} | {f['error']} ||||||| ")
                continue
            label = engine + (" (earlier run)" if f.get("reused") else "")
            lines.append(f"| {row['table']} | {row['rows']:,} × {row['columns']} | {label} | {cell(f.get('wall_s'), 1)} | "
                         f"{cell(f.get('peak_mib'), 0)} | {cell(f.get('overall'))} | {cell(f.get('univariate'))} | "
                         f"{cell(f.get('bivariate'))} | {cell(f.get('trivariate'))} | {cell(f.get('dcr_share'))} |")
    return "\n".join(lines)


def summary_text(rows: list[dict], engines: list[str]) -> str:
    lines = []
    for engine in engines:
        overall = [r["engines"][engine]["overall"] for r in rows if r["engines"].get(engine, {}).get("overall") is not None]
        if overall:
            lines.append(f"mean overall accuracy, {engine}: {np.mean(overall):.4f} over {len(overall)} tables")
    if {"doppel", "reference"} <= set(engines):
        pairs = [(r["table"], r["engines"]["doppel"], r["engines"]["reference"]) for r in rows
                 if r["engines"].get("doppel", {}).get("overall") is not None
                 and r["engines"].get("reference", {}).get("overall") is not None]
        behind = [t for t, d, ref in pairs if d["overall"] < ref["overall"] - 0.002]
        lines.append(f"tables where Doppel's overall accuracy < the reference's − 0.002: {len(behind)} of {len(pairs)}"
                     + (f" ({', '.join(behind)})" if behind else ""))
        high_dcr = [t for t, d, _ in pairs if (d.get("dcr_share") or 0) > 0.52]
        lines.append(f"tables where Doppel's DCR share > 0.52: {len(high_dcr)}" + (f" ({', '.join(high_dcr)})" if high_dcr else ""))
        speed = [ref["wall_s"] / d["wall_s"] for _, d, ref in pairs]
        memory = [d["peak_mib"] / ref["peak_mib"] for _, d, ref in pairs]
        if speed:
            lines.append(f"wall-time ratio reference / Doppel: min {min(speed):.1f}×, median {np.median(speed):.1f}×")
            lines.append(f"peak-RSS ratio Doppel / reference: max {max(memory):.2f}, median {np.median(memory):.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="folder with the six public tables named above")
    parser.add_argument("--work", type=Path, default=REPO / "bench-data" / "quality-suite")
    parser.add_argument("--tables", default=",".join(TABLES), help="comma-separated subset, in run order")
    parser.add_argument("--engines", default="doppel,reference")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per engine and table")
    parser.add_argument("--reference-minutes", type=float, help="cap the reference's training time (default: its own)")
    parser.add_argument("--reuse", default="", help="engines whose figures of an earlier run in --work are reused "
                        "instead of running them again (e.g. reference, while Doppel changes)")
    parser.add_argument("--doppel-arg", action="append", default=[], help="extra argument for doppel synthesize (repeatable)")
    args = parser.parse_args()
    args.engines = [e for e in args.engines.split(",") if e]
    args.reuse = [e for e in args.reuse.split(",") if e]
    unknown = [t for t in args.tables.split(",") if t not in TABLES]
    if unknown:
        parser.error(f"unknown tables {unknown}; known: {', '.join(TABLES)}")
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.tables.split(","):
        try:
            rows.append(run_table(name, args, args.work))
        except FileNotFoundError as error:
            print(f"skipping {name}: {error}", flush=True)
        (args.work / "results.json").write_text(json.dumps(rows, indent=1))
    text = table_text(rows, args.engines) + "\n\n" + summary_text(rows, args.engines) + "\n"
    (args.work / "results.md").write_text(text)
    print("\n" + text)


if __name__ == "__main__":
    main()
