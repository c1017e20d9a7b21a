#!/usr/bin/env bash
# The Python package's tests: installs python/ into .venv (pip builds the release engine into
# it), builds the wheel of scripts/build-wheel.sh once for the wheel test, runs pytest.
# Without a usable .venv (no pyarrow/pandas could be installed) the tests are skipped, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c "import pyarrow, pandas" 2>/dev/null; then
  echo "SKIPPED: Python package tests (no .venv with pyarrow and pandas; see scripts/setup-python.sh)"
  exit 0
fi
.venv/bin/python -m pip install -q --disable-pip-version-check pytest
.venv/bin/python -m pip install -q --disable-pip-version-check ./python
rm -rf python/build
wheels=.build-wheel
rm -rf "$wheels"
scripts/build-wheel.sh "$wheels" >/dev/null
export DOPPEL_WHEEL="$(ls "$wheels"/doppel-*.whl | head -1)"
# From the repository root, so that `import doppel` is the installed package (with its engine), not
# python/doppel; -p no:cacheprovider: no .pytest_cache in the checkout.
OPENBLAS_NUM_THREADS=1 .venv/bin/python -m pytest -q -rs -p no:cacheprovider python/tests
