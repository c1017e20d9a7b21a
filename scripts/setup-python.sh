#!/usr/bin/env bash
# Creates .venv for the interoperability tests and benchmarks: pyarrow and pandas (required), and
# polars, duckdb, dask[distributed] and pyspark (optional: each one that cannot be installed only
# skips its own tests).
# Doppel itself never needs Python. Failure here only skips those tests.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/python ] && .venv/bin/python -c "import pyarrow, pandas, polars, duckdb, distributed, pyspark" 2>/dev/null; then exit 0; fi
pip_install() { .venv/bin/pip install -q --disable-pip-version-check "$@"; }
if ! { [ -x .venv/bin/python ] && .venv/bin/python -c "import pyarrow, pandas" 2>/dev/null; }; then
  rm -rf .venv
  python3 -m venv .venv && pip_install pyarrow pandas \
    || { echo "warning: could not set up .venv with pyarrow; interoperability tests will be skipped" >&2; rm -rf .venv; exit 0; }
fi
# An optional package that failed once is not tried again (no waiting on an offline index at every
# run); delete .venv/optional-unavailable to try again.
# Each as "module=pip requirement": Dask and PySpark for the cluster backends' tests.
for entry in polars=polars duckdb=duckdb distributed="dask[distributed]" pyspark=pyspark; do
  module="${entry%%=*}" package="${entry#*=}"
  .venv/bin/python -c "import $module" 2>/dev/null && continue
  grep -qx "$package" .venv/optional-unavailable 2>/dev/null && continue
  pip_install --timeout 15 --retries 1 "$package" \
    || { echo "warning: could not install $package into .venv; its tests will be skipped" >&2; echo "$package" >> .venv/optional-unavailable; }
done
exit 0
