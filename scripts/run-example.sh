#!/usr/bin/env bash
# Sets Doppel up and runs it on the bundled example data (examples/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
rm -rf workspace/titanic workspace/baseball
echo "== Flat data: examples/titanic.csv"
scripts/doppel split --data examples/titanic.csv --workspace workspace/titanic --partitions 2 --seed 42
scripts/doppel analyze --workspace workspace/titanic --seed 42
scripts/doppel encode --workspace workspace/titanic
echo
echo "== Sequential data: examples/baseball-batting.csv with context examples/baseball-players.csv"
scripts/doppel split --data examples/baseball-batting.csv --context examples/baseball-players.csv \
  --context-primary-key id --context-key players_id --workspace workspace/baseball --seed 42
scripts/doppel analyze --workspace workspace/baseball --seed 42
scripts/doppel encode --workspace workspace/baseball
echo
echo "Workspaces written to workspace/ (layout: docs/workspace.md)."
