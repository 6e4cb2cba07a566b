#!/usr/bin/env bash
# Create ./.venv (if missing) and install sanctionwatch with the given extras, e.g. `scripts/setup.sh test`.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
if [ -n "$extras" ]; then spec=".[${extras}]"; else spec="."; fi
.venv/bin/python -m pip install -q -e "$spec" 2>&1 | grep -v -E "^WARNING: Location|ignored: it is neither" || true
.venv/bin/python -c "import sanctionwatch" # fail loudly if the install did not work
# Compile the numba kernels now (about a minute of CPU, once): the first ingest/demo/test then loads them.
.venv/bin/python -m sanctionwatch.warmup
