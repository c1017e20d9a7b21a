#!/usr/bin/env bash
# Installs the Debian libraries Doppel links against (only those missing) and builds Doppel.
# Usage: scripts/setup.sh [debug|release]   (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(zlib1g-dev libzstd-dev libsnappy-dev liblz4-dev libopenblas-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system libraries: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

configuration="${1:-release}"
swift build -c "$configuration" --product doppel
