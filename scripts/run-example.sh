#!/usr/bin/env bash
# Sets Doppel up and runs it on the bundled example data (examples/titanic.csv):
# synthesize a table of the same size, then measure its fidelity and privacy.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
mkdir -p output
echo "== Synthesize examples/titanic.csv"
scripts/doppel synthesize examples/titanic.csv --output output/titanic-synthetic.csv --seed 42 --force
echo
echo "== Evaluate the synthetic data against the original"
scripts/doppel evaluate --train examples/titanic.csv --synthetic output/titanic-synthetic.csv \
  --report output/titanic-report.html --json output/titanic-metrics.json --force
echo
echo "Synthetic data: output/titanic-synthetic.csv; quality report: output/titanic-report.html"
