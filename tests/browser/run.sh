#!/usr/bin/env bash
# Run the levers browser tests (node's built-in test runner + playwright-core + axe-core).
#
# Assumes the levers binary is already built (cargo build -p levers); set LEVERS_BIN to use
# another one. Set CHROMIUM to use another chromium than /usr/bin/chromium. With CI=true a missing
# chromium is a failure; otherwise the tests are skipped with a message.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v node >/dev/null 2>&1; then
  echo "run.sh: node is not installed (Node 20 or newer is needed)" >&2
  exit 1
fi

# Install the pinned dependencies when node_modules is missing or older than the lockfile.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
  touch node_modules
fi

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export CHROMIUM
if [ ! -x "$CHROMIUM" ]; then
  case "${CI:-}" in
    true|TRUE|True|1|yes)
      # The test file fails with the same message, so the run ends with a standard failing summary.
      echo "run.sh: CI=true but chromium was not found at $CHROMIUM; the browser tests must run in CI" >&2 ;;
    *)
      echo "run.sh: chromium was not found at $CHROMIUM, so the browser tests are skipped (set CHROMIUM=/path/to/chromium)" >&2 ;;
  esac
fi

if [ -n "${LEVERS_BIN:-}" ]; then
  # Make a relative LEVERS_BIN relative to the caller's directory, not this one.
  case "$LEVERS_BIN" in
    /*) ;;
    *) LEVERS_BIN="$OLDPWD/$LEVERS_BIN" ;;
  esac
  export LEVERS_BIN
fi

shopt -s nullglob
tests=(*.test.mjs)
# One file at a time: each starts its own levers demo and chromium, and on a 2-core machine running
# them side by side only makes every page slower and the timeouts flakier.
exec node --test --test-concurrency=1 --test-reporter=spec "${tests[@]}"
