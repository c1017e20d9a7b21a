#!/usr/bin/env bash
# Creates .venv with pyarrow and pandas, used only by interoperability tests and benchmarks.
# Doppel itself never needs Python. Failure here only skips those tests.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/python ] && .venv/bin/python -c "import pyarrow, pandas" 2>/dev/null; then exit 0; fi
python3 -m venv .venv && .venv/bin/pip install -q --disable-pip-version-check pyarrow pandas \
  || { echo "warning: could not set up .venv with pyarrow; interoperability tests will be skipped" >&2; rm -rf .venv; exit 0; }
