#!/usr/bin/env bash
# Side-by-side benchmark of the procurement analysis (levers-spend, release build) against pandas
# computing the same shares, on a generated year of 1,000,000 payments and 50,000 suppliers with an
# X-coded geography of 16,000 postcodes. Each tool loads the files once and runs its analysis
# REPEATS times (default 5); the median analysis time is compared, with the fastest and slowest run.
# Reports load seconds, peak memory (from /usr/bin/time -v) and whole-run wall seconds for both, and
# checks that they agree on the figures.
#
# Usage: benches/procurement/run.sh [ROWS] [SUPPLIERS] [REPEATS]   (env: CARGO_TARGET_DIR, BENCH_DIR, PYTHON)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROWS="${1:-1000000}"
SUPPLIERS="${2:-50000}"
REPEATS="${3:-5}"
BENCH_DIR="${BENCH_DIR:-$ROOT/bench-results/procurement}/${ROWS}_${SUPPLIERS}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$ROOT/.venv-bench"
if [ -z "${PYTHON:-}" ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q pandas
  fi
  PYTHON="$VENV/bin/python"
fi
(cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p levers-spend --example procurement_bench)
BIN="$TARGET/release/examples/procurement_bench"
mkdir -p "$BENCH_DIR"
[ -s "$BENCH_DIR/transactions.csv" ] || "$BIN" gen "$BENCH_DIR" "$ROWS" "$SUPPLIERS"
cat "$BENCH_DIR"/*.csv > /dev/null
/usr/bin/time -v -o "$BENCH_DIR/levers.time" "$BIN" run "$BENCH_DIR" "$REPEATS" > "$BENCH_DIR/levers.json"
/usr/bin/time -v -o "$BENCH_DIR/pandas.time" "$PYTHON" "$ROOT/benches/procurement/pandas_analyse.py" "$BENCH_DIR" "$REPEATS" > "$BENCH_DIR/pandas.json"
"$PYTHON" - "$BENCH_DIR" <<'PY'
import json, re, sys
d = sys.argv[1]
l, p = (json.load(open(f"{d}/{n}.json")) for n in ("levers", "pandas"))
def peak(n):
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{d}/{n}.time").read()).group(1)) / 1024
def wall(n):
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", open(f"{d}/{n}.time").read())
    return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
for k in ["rows", "total_pence", "excluded_pence", "analysed_pence", "top300_analysed_pence"]:
    assert l[k] == p[k], f"{k}: levers {l[k]} pandas {p[k]}"
for k in ["local", "wider", "deprived_decile_1", "deprived_decile_1_2", "sme", "vcse", "unknown_location", "top300_local"]:
    assert abs(l[k] - p[k]) < 1e-9, f"{k}: levers {l[k]} pandas {p[k]}"
print(f"rows {l['rows']:,}; both agree on every figure (local {l['local']:.4f}, wider {l['wider']:.4f}, decile 1-2 {l['deprived_decile_1_2']:.4f})")
runs = len(l["analyse_runs"])
print(f"| tool | load s | analyse s (median of {runs}) | fastest–slowest | whole run s | peak MB |")
print("|---|---:|---:|---:|---:|---:|")
for n, r in (("levers", l), ("pandas", p)):
    print(f"| {n} | {r['load_seconds']:.2f} | {r['analyse_seconds']:.3f} | {min(r['analyse_runs']):.3f}–{max(r['analyse_runs']):.3f} | {wall(n):.2f} | {peak(n):,.0f} |")
print(f"analysis speed-up {p['analyse_seconds'] / l['analyse_seconds']:.1f}x (medians)")
PY
