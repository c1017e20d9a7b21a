#!/usr/bin/env bash
# Runs the test suite: system libraries, the Python venv, swift test, then the Python package's
# tests (the package installed into .venv from this checkout, and its wheel built once).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh debug
scripts/setup-python.sh
export OPENBLAS_NUM_THREADS=1
swift test "$@"
scripts/test-python.sh
