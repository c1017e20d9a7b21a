"""The thorough reliability run: Doppel tried as a hostile but realistic user would.

Every case must end in a clear error (exit status 1, one `error:` line naming what is wrong) or a
correct result (exit status 0 and, where an uninterrupted run exists to compare with, the same
output bytes). A run killed by a signal other than our own kill -9 is a crash; a final output
that differs from the uninterrupted run's after a rerun, or an input file changed, is data lost.

Groups:
- fuzz: the bundled titanic table as CSV, Parquet and Arrow, truncated at several points and with
  random bytes flipped (fixed seeds), each given to `doppel split`;
- kill: `kill -9` of split, analyze, encode, train and generate at several moments, then the same
  command again and the rest of the pipeline; the synthetic file must equal an uninterrupted
  run's (same seed), and `synthesize` killed and rerun must give the uninterrupted output;
- concurrent: two `train` runs on one workspace at once (one must be refused, naming the other);
- arguments: bad values for every numeric option, outputs onto inputs;
- wide: a 20-row × 5,000-column table, which must stop before training with a message.
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOPPEL = os.environ.get("DOPPEL_BINARY") or str(REPO / ".build" / "release" / "doppel")


class Tally:
    def __init__(self):
        self.cases = self.errors = self.correct = self.crashes = self.lost = 0
        self.notes = []

    def outcome(self, group, label, status, output, correct=True):
        self.cases += 1
        if status == 0 and correct:
            self.correct += 1
        elif status == 0:
            self.lost += 1
            self.notes.append(f"{group}: {label}: finished but the output differs from an uninterrupted run")
        elif status in (1, 64) and "error" in output.lower():  # 64: the argument parser's usage error
            self.errors += 1
        else:
            self.crashes += 1
            self.notes.append(f"{group}: {label}: exit status {status}: {output.strip()[-200:]}")


def run(args, timeout=600):
    result = subprocess.run([DOPPEL, *args], capture_output=True, text=True, timeout=timeout)
    return result.returncode, result.stdout + result.stderr


def fuzz(work: Path, tally: Tally, seeds: int):
    source = work / "fuzz-source"
    source.mkdir(parents=True, exist_ok=True)
    csv = REPO / "examples" / "titanic.csv"
    files = {"csv": csv}
    for ext in ("parquet", "arrow"):
        out = source / f"titanic.{ext}"
        status, text = run(["synthesize", str(csv), "--output", str(out), "--max-epochs", "1", "--seed", "1", "--quiet"])
        if status != 0:
            raise SystemExit(f"cannot make the {ext} fuzz source: {text}")
        files[ext] = out
    before = (tally.cases, tally.errors, tally.correct, tally.crashes)
    for ext, path in files.items():
        data = path.read_bytes()
        rng = random.Random(7)
        variants = [(f"truncated at {n}", data[:n]) for n in sorted(rng.sample(range(1, len(data)), 8))]
        for seed in range(seeds):
            flipped = bytearray(data)
            r = random.Random(seed)
            for _ in range(1 + seed % 8):
                flipped[r.randrange(len(flipped))] ^= 1 << r.randrange(8)
            variants.append((f"bytes flipped (seed {seed})", bytes(flipped)))
        for label, content in variants:
            target = work / f"fuzz.{ext}"
            target.write_bytes(content)
            ws = work / "fuzz-ws"
            shutil.rmtree(ws, ignore_errors=True)
            status, text = run(["split", "--data", str(target), "--workspace", str(ws), "--quiet"])
            tally.outcome("fuzz", f"{ext} {label}", status, text)
    after = (tally.cases, tally.errors, tally.correct, tally.crashes)
    print(f"fuzz: {after[0] - before[0]} cases, {after[1] - before[1]} clear errors, {after[2] - before[2]} read, "
          f"{after[3] - before[3]} crashes", flush=True)


def pipeline(ws: Path, output: Path):
    data = REPO / "examples" / "titanic.csv"
    return [
        ["split", "--data", str(data), "--workspace", str(ws), "--seed", "3", "--partitions", "2", "--quiet"],
        ["analyze", "--workspace", str(ws), "--seed", "3", "--quiet"],
        ["encode", "--workspace", str(ws), "--quiet"],
        ["train", "--workspace", str(ws), "--seed", "3", "--max-epochs", "3", "--model", "S", "--quiet"],
        ["generate", "--workspace", str(ws), "--seed", "3", "--output", str(output), "--force", "--quiet"],
    ]


def killed(args, delay):
    """Starts doppel with `args`, kills it with SIGKILL after `delay` seconds (if still running)."""
    process = subprocess.Popen([DOPPEL, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()


def kills(work: Path, tally: Tally):
    straight = work / "straight.csv"
    for step in pipeline(work / "straight-ws", straight):
        status, text = run(step)
        if status != 0:
            raise SystemExit(f"the uninterrupted pipeline failed: {text}")
    expected = straight.read_bytes()
    before = (tally.cases, tally.errors, tally.correct, tally.crashes, tally.lost)
    for index in range(5):
        for delay in (0.02, 0.1, 0.3, 0.8):
            ws, output = work / "kill-ws", work / "kill.csv"
            shutil.rmtree(ws, ignore_errors=True)
            output.unlink(missing_ok=True)
            steps = pipeline(ws, output)
            for earlier in steps[:index]:
                run(earlier)
            killed(steps[index], delay)
            status, text = 0, ""
            for step in steps[index:]:
                status, text = run(step)
                if status != 0:
                    break
            correct = status == 0 and output.exists() and output.read_bytes() == expected
            tally.outcome("kill", f"{steps[index][0]} killed after {delay} s, then rerun", status, text, correct)
    data = REPO / "examples" / "titanic.csv"
    once = work / "synth-straight.csv"
    command = ["synthesize", str(data), "--seed", "5", "--max-epochs", "3", "--model", "S", "--force", "--quiet"]
    run(command + ["--output", str(once)])
    for delay in (0.05, 0.3, 1.0, 2.0):
        again = work / "synth-killed.csv"
        again.unlink(missing_ok=True)
        killed(command + ["--output", str(again)], delay)
        status, text = run(command + ["--output", str(again)])
        tally.outcome("kill", f"synthesize killed after {delay} s, then rerun", status, text,
                      status == 0 and again.read_bytes() == once.read_bytes())
    after = (tally.cases, tally.errors, tally.correct, tally.crashes, tally.lost)
    print(f"kill -9: {after[0] - before[0]} cases, {after[2] - before[2]} equal to the uninterrupted run, "
          f"{after[1] - before[1]} clear errors, {after[3] - before[3]} crashes, {after[4] - before[4]} outputs lost", flush=True)


def concurrent(work: Path, tally: Tally):
    ws = work / "concurrent-ws"
    shutil.rmtree(ws, ignore_errors=True)
    for step in pipeline(ws, work / "unused.csv")[:3]:
        run(step)
    train = [DOPPEL, "train", "--workspace", str(ws), "--max-epochs", "30", "--model", "S", "--quiet"]
    first = subprocess.Popen(train, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(0.3)
    second = subprocess.run(train, capture_output=True, text=True)
    out_first = first.communicate()[0]
    tally.outcome("concurrent", "first train", first.returncode, out_first)
    refused = second.returncode == 1 and "in use by" in second.stdout + second.stderr
    tally.outcome("concurrent", "second train while the first runs", second.returncode if refused or second.returncode != 0 else 2,
                  second.stdout + second.stderr)
    print(f"concurrent writers: second train {'refused naming the first' if refused else 'NOT refused'}", flush=True)


def arguments(work: Path, tally: Tally):
    ws = work / "args-ws"
    shutil.rmtree(ws, ignore_errors=True)
    for step in pipeline(ws, work / "args.csv")[:4]:
        run(step)
    data = REPO / "examples" / "titanic.csv"
    copy = work / "input.csv"
    shutil.copy(data, copy)
    original = copy.read_bytes()
    cases = [
        ["generate", "--workspace", str(ws), "--rows", "-1"], ["generate", "--workspace", str(ws), "--temperature", "-1"],
        ["generate", "--workspace", str(ws), "--top-p", "-0.5"], ["generate", "--workspace", str(ws), "--top-p", "2"],
        ["train", "--workspace", str(ws), "--jobs", "-3"], ["train", "--workspace", str(ws), "--learning-rate", "-1"],
        ["train", "--workspace", str(ws), "--learning-rate", "nan"], ["train", "--workspace", str(ws), "--learning-rate", "1e30"],
        ["train", "--workspace", str(ws), "--max-time", "0"], ["train", "--workspace", str(ws), "--max-epochs", "0"],
        ["analyze", "--workspace", str(ws), "--dp-epsilon", "-1"], ["split", "--data", str(copy), "--workspace", str(copy)],
        ["evaluate", "--train", str(copy), "--synthetic", str(copy), "--max-distance-rows", "-5"],
        ["synthesize", str(copy), "--output", str(copy), "--force"], ["synthesize", str(copy), "--output", str(copy)],
        ["evaluate", "--train", str(copy), "--synthetic", str(copy), "--report", str(copy), "--force"],
        ["generate", "--workspace", str(ws), "--output", str(ws / "OriginalData" / "tgt-data" / "part-000000-trn.arrow")],
    ]
    before = (tally.cases, tally.errors)
    for args in cases:
        status, text = run(args)
        # Every one of these must be refused: an exit 0 here counts as a wrong result.
        tally.outcome("arguments", " ".join(args[:1] + args[-2:]), status if status != 0 else 2, text)
    if copy.read_bytes() != original:
        tally.lost += 1
        tally.notes.append("arguments: the input file was changed")
    print(f"arguments: {tally.cases - before[0]} cases, {tally.errors - before[1]} clear errors", flush=True)


def wide(work: Path, tally: Tally):
    """20 rows × 5,000 integer columns: synthesize must stop before training with a message."""
    path = work / "wide.csv"
    rng = random.Random(3)
    with open(path, "w") as out:
        out.write(",".join(f"c{i}" for i in range(5000)) + "\n")
        for _ in range(20):
            out.write(",".join(str(rng.randrange(10)) for _ in range(5000)) + "\n")
    started = time.monotonic()
    status, text = run(["synthesize", str(path), "--output", str(work / "wide-out.csv"), "--force", "--quiet"])
    tally.outcome("wide", "20 × 5,000 synthesize", status, text)
    print(f"wide table: exit {status} after {time.monotonic() - started:.1f} s: {text.strip().splitlines()[-1][:160] if text.strip() else ''}",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=REPO / "bench-data" / "reliability")
    parser.add_argument("--seeds", type=int, default=20, help="byte-flip seeds per input format")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    tally = Tally()
    fuzz(args.work, tally, args.seeds)
    kills(args.work, tally)
    concurrent(args.work, tally)
    arguments(args.work, tally)
    wide(args.work, tally)
    print(f"cases {tally.cases}, clear errors {tally.errors}, correct results {tally.correct}, "
          f"crashes {tally.crashes}, data lost {tally.lost}")
    for note in tally.notes:
        print("  " + note)
    sys.exit(1 if tally.crashes or tally.lost else 0)


if __name__ == "__main__":
    main()
