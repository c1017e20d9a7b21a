#!/usr/bin/env bash
# CSV read benchmark: Doppel's CSVReader vs pandas.read_csv vs pyarrow.csv.read_csv on the same
# generated mixed-type file. Prints MB/s and peak RSS of each.
#
#   scripts/bench-csv.sh [SIZE_MB] [DIR]      (defaults: 1000 MB in ./bench-data)
#
# Python: $DOPPEL_PYTHON, else /tmp/pyvenv/bin/python (needs pandas and pyarrow).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB="${1:-1000}"
DIR="${2:-bench-data}"
PYTHON="${DOPPEL_PYTHON:-/tmp/pyvenv/bin/python}"
export OPENBLAS_NUM_THREADS=1

# Incremental release builds with cross-module optimisation can keep stale inlined copies of
# DoppelIO code in the benchmark; touching its sources makes it recompile against the current one.
touch Sources/doppel-bench/*.swift
swift build -c release --product doppel-bench >/dev/null
BENCH=.build/release/doppel-bench
"$BENCH" csv --size-mb "$SIZE_MB" --dir "$DIR" --generate-only
FILE="$DIR/mixed-${SIZE_MB}mb.csv"
BYTES=$(stat -c %s "$FILE")
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== doppel (all cores)"
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
/usr/bin/time -o "$TIMES" -f "  external: peak RSS %M KB, wall %e s" "$BENCH" csv --size-mb "$SIZE_MB" --dir "$DIR"
cat "$TIMES"

if [ -x "$PYTHON" ]; then
  for reader in pandas pyarrow; do
    echo "== $reader"
    /usr/bin/time -o "$TIMES" -f "  external: peak RSS %M KB, wall %e s (incl. interpreter start)" "$PYTHON" - "$FILE" "$BYTES" "$reader" <<'PY'
import sys, time
path, size, reader = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if reader == "pandas":
    import pandas as pd
    read = lambda: pd.read_csv(path)
else:
    import pyarrow.csv as pc
    read = lambda: pc.read_csv(path)
wall, cpu = time.time(), time.process_time()
table = read()
wall, cpu = time.time() - wall, time.process_time() - cpu
print(f"  {reader}: {len(table)} rows, read {size / 1e6:.1f} MB in {wall:.3f} s = {size / 1e6 / wall:.1f} MB/s (CPU time {cpu:.3f} s)")
PY
    cat "$TIMES"
  done
else
  echo "no Python with pandas/pyarrow at $PYTHON: skipping the comparison"
fi
