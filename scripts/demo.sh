#!/usr/bin/env bash
# Set up and run the main job on bundled demo data, with the embedded store (no server to start by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/sanctionwatch demo --out "${1:-sw-demo}"
