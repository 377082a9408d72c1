#!/usr/bin/env bash
# Geography benchmark, side by side in one run:
#   1. generate a national-size ONSPD-shaped file (2.7 million rows, every ONSPD column);
#   2. `levers geo import` of it into a fresh SQLite database (rows/s, peak memory);
#   3. pandas.read_csv of the same file (seconds, peak memory);
#   4. lookups per second from the in-memory index on one core.
# Usage: benches/geo/run.sh [ROWS]   (needs python3; creates .venv-bench with pandas if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-2700000}
work=${BENCH_DIR:-/tmp/levers-bench-geo}
mkdir -p "$work"
csv="$work/onspd_synthetic_$rows.csv"

cargo build --release -q -p levers -p levers-geo --examples --bins
[ -f "$csv" ] || target/release/examples/gen_onspd "$csv" "$rows"
size_mb=$(du -m "$csv" | cut -f1)

if [ ! -x .venv-bench/bin/python ]; then
  python3 -m venv .venv-bench
  .venv-bench/bin/pip install -q pandas
fi

measure() { # label, command… → prints "seconds peak_kb"
  local out; out=$( { /usr/bin/time -f "%e %M" "$@" >/dev/null; } 2>&1 | tail -n 1 )
  echo "$out"
}

rm -f "$work/bench.db" "$work/bench.db-wal" "$work/bench.db-shm"
read -r lev_s lev_kb < <(measure target/release/levers geo import --database "$work/bench.db" "$csv")
read -r pd_s pd_kb < <(measure .venv-bench/bin/python -c "import pandas as pd, sys; df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False); print(len(df))" "$csv")
lookups=$(taskset -c 0 target/release/examples/lookup_bench "$csv" 5000000)

python3 - "$rows" "$size_mb" "$lev_s" "$lev_kb" "$pd_s" "$pd_kb" "$lookups" <<'PY'
import json, sys
rows, size, ls, lkb, ps, pkb, look = sys.argv[1:]
rows, size, ls, lkb, ps, pkb = int(rows), int(size), float(ls), int(lkb), float(ps), int(pkb)
look = json.loads(look)
print(f"| what | seconds | rows/s | peak memory |")
print(f"|---|---:|---:|---:|")
print(f"| levers geo import ({rows:,} rows, {size:,} MB) into SQLite | {ls:.1f} | {rows/ls:,.0f} | {lkb/1024:,.0f} MB |")
print(f"| pandas.read_csv of the same file (dtype=str) | {ps:.1f} | {rows/ps:,.0f} | {pkb/1024:,.0f} MB |")
print(f"| levers speed-up | {ps/ls:.1f}x | | |")
print()
print(f"In-memory index of {look['postcodes']:,} postcodes: built in {look['index_build_s']:.1f} s, {look['index_mb']:.0f} MB; "
      f"`locate` {look['locate_per_s']:,.0f} lookups/s and full `lookup` {look['lookup_per_s']:,.0f} lookups/s on one core.")
PY
