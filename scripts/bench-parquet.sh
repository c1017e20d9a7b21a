#!/usr/bin/env bash
# Parquet read/write throughput of Doppel against pyarrow, in the same run on the same files.
#
# Usage: scripts/bench-parquet.sh [ROWS]   (default 12,000,000 rows ≈ 1 GB in memory)
# Needs a Python with pyarrow: $DOPPEL_PYTHON, else .venv/bin/python, else /tmp/pyvenv/bin/python.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-12000000}"
PY="${DOPPEL_PYTHON:-}"
[ -z "$PY" ] && [ -x .venv/bin/python ] && PY=.venv/bin/python
[ -z "$PY" ] && PY=/tmp/pyvenv/bin/python
DIR=bench-data/parquet
mkdir -p "$DIR"

"$PY" - "$DIR" "$ROWS" <<'PYEOF'
import os, sys, time
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

out, rows = sys.argv[1], int(sys.argv[2])
snappy, zstd = os.path.join(out, "mixed-snappy.parquet"), os.path.join(out, "mixed-zstd.parquet")
if not (os.path.exists(snappy) and os.path.exists(zstd)):
    rng = np.random.default_rng(1)
    def with_nulls(arr, p=0.05):
        return pa.array(arr, mask=rng.random(rows) < p)
    cities = np.array(["city-%03d" % i for i in range(300)])
    table = pa.table({
        "id": pa.array(np.arange(rows, dtype=np.int64)),
        "age": with_nulls(rng.integers(0, 100, rows)),
        "income": with_nulls(rng.lognormal(10, 1, rows)),
        "score": pa.array(rng.normal(0, 1, rows)),
        "member": with_nulls(rng.random(rows) < 0.3),
        "city": with_nulls(cities[rng.integers(0, 300, rows)]),
        "code": pa.array(np.char.add("c", rng.integers(0, 10**9, rows).astype(str))),
        "seen": with_nulls(rng.integers(1_500_000_000_000_000, 1_700_000_000_000_000, rows).astype("datetime64[us]")),
        "born": with_nulls(rng.integers(-20000, 20000, rows).astype("datetime64[D]")),
    })
    print("generated %d rows, %.0f MB in memory" % (rows, table.nbytes / 1e6))
    pq.write_table(table, snappy, compression="snappy")
    pq.write_table(table, zstd, compression="zstd")
for path in (snappy, zstd):
    times = []
    for _ in range(3):
        t0 = time.perf_counter(); table = pq.read_table(path); times.append(time.perf_counter() - t0)
    print("pyarrow read  %s: %d rows, %.1f MB in %.3f s (best of 3)" % (path, table.num_rows, os.path.getsize(path) / 1e6, min(times)))
for codec in ("snappy", "zstd"):
    times = []
    for _ in range(2):
        t0 = time.perf_counter(); pq.write_table(table, os.path.join(out, "pyarrow-%s.parquet" % codec), compression=codec); times.append(time.perf_counter() - t0)
    print("pyarrow write %s: %.1f MB in %.3f s (best of 2)" % (codec, os.path.getsize(os.path.join(out, "pyarrow-%s.parquet" % codec)) / 1e6, min(times)))
PYEOF

swift build -c release --product doppel-bench >/dev/null
.build/release/doppel-bench parquet --files "$DIR/mixed-snappy.parquet,$DIR/mixed-zstd.parquet" --repeat 3 --write-dir "$DIR" --write-codecs snappy,zstd
# Files we wrote must read back in pyarrow with the same values.
"$PY" - "$DIR" <<'PYEOF'
import os, sys
import pyarrow.parquet as pq
d = sys.argv[1]
ref = pq.read_table(os.path.join(d, "mixed-snappy.parquet"))
for codec in ("snappy", "zstd"):
    ours = pq.read_table(os.path.join(d, "doppel-%s.parquet" % codec))
    same = all(ours.column(n).to_pylist()[:200000] == ref.column(n).cast(ours.column(n).type).to_pylist()[:200000] for n in ref.column_names)
    print("pyarrow reads doppel-%s.parquet: %d rows, first 200k rows identical: %s" % (codec, ours.num_rows, same))
PYEOF
