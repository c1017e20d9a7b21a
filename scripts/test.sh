#!/usr/bin/env bash
# Runs the test suite: system libraries, the Python venv for interoperability tests, then swift test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh debug
scripts/setup-python.sh
export OPENBLAS_NUM_THREADS=1
swift test "$@"
