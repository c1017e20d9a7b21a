#!/usr/bin/env bash
# Runs the test suite: system libraries, Open MPI, the Python venv, swift test, then the Python package's
# tests (the package installed into .venv from this checkout, and its wheel built once).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh debug
# Open MPI's launcher and library for the MPI training tests (doppel loads libmpi only under
# mpirun); a Java runtime for the Spark backend's tests (PySpark runs Spark in a JVM).
scripts/install-debian-packages.sh openmpi-bin default-jre-headless
scripts/setup-python.sh
export OPENBLAS_NUM_THREADS=1
swift test "$@"
scripts/test-python.sh
