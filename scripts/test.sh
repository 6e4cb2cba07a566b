#!/usr/bin/env bash
# Install the test extras and run lint + the test suite (the same command CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
.venv/bin/ruff check src tests benchmarks
.venv/bin/python -m pytest -q "$@"
