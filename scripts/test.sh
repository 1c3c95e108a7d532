#!/usr/bin/env bash
# The test command (README): set up (idempotent), then lint, type-check and run the suite.
# Services the tests need (anvil, the IPFS node) are started by the tests' fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
VENV=${CHAINLLM_VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH"
echo "== ruff" >&2
ruff check chainllm tests bench
echo "== mypy" >&2
mypy
echo "== pytest" >&2
pytest -q -p no:cacheprovider "$@"
