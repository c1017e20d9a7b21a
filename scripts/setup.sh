#!/usr/bin/env bash
# Installs the Debian libraries Doppel links against (only those missing) and builds Doppel.
# Usage: scripts/setup.sh [debug|release]   (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-debian-packages.sh zlib1g-dev libzstd-dev libsnappy-dev liblz4-dev libopenblas-dev

configuration="${1:-release}"
swift build -c "$configuration" --product doppel
