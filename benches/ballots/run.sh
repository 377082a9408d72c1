#!/usr/bin/env bash
# Community budget voting under load, on loopback (issue 7): the real web app on 127.0.0.1, driven
# by concurrent voters over HTTP/1.1 keep-alive; each voter loads the code page (CSRF cookie and
# token) and casts a ballot with a fresh code. Runs on SQLite, then on PostgreSQL when
# LEVERS_TEST_PG names a server (scripts/pg-throwaway start prints one).
#
#   benches/ballots/run.sh [BALLOTS] [CONCURRENCY]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ballots="${1:-10000}"
conc="${2:-32}"
cargo build --release -q -p levers-web --example ballot_load
bin="${CARGO_TARGET_DIR:-target}/release/examples/ballot_load"
echo "== SQLite"
"$bin" --ballots "$ballots" --concurrency "$conc"
if [ -n "${LEVERS_TEST_PG:-}" ]; then
  echo "== PostgreSQL"
  "$bin" --ballots "$ballots" --concurrency "$conc" --postgres "$LEVERS_TEST_PG"
else
  echo "== PostgreSQL: not run (set LEVERS_TEST_PG, e.g. eval \"\$(scripts/pg-throwaway start)\")"
fi
