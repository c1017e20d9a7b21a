#!/usr/bin/env bash
# Builds a platform wheel of the Python package with a self-contained engine binary: the Swift
# runtime and Foundation linked statically (--static-swift-stdlib), so the wheel installs and runs
# on a machine without Swift. The machine still needs the shared C libraries the engine links:
# zlib, zstd, snappy, lz4 and OpenBLAS (Debian: zlib1g libzstd1 libsnappy1v5 liblz4-1 libopenblas0).
# Usage: scripts/build-wheel.sh [OUTPUT_DIR]   (default: dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
scripts/setup.sh release >/dev/null   # the Debian -dev libraries (and the ordinary release build)
swift build -c release --product doppel --static-swift-stdlib --scratch-path .build-static
binary="$(swift build -c release --product doppel --static-swift-stdlib --scratch-path .build-static --show-bin-path)/doppel"
# Symbols stripped from the copy that goes into the wheel (89 MB → about a third).
stripped="$PWD/.build-static/doppel-stripped"
strip -o "$stripped" "$binary" 2>/dev/null || cp "$binary" "$stripped"
python3 -m pip --version >/dev/null 2>&1 || { echo "error: python3 with pip is needed to build the wheel" >&2; exit 1; }
rm -rf python/build
DOPPEL_PREBUILT_BINARY="$stripped" python3 -m pip wheel -q --no-deps --wheel-dir "$out" ./python
rm -rf python/build
ls "$out"/doppel-*.whl
