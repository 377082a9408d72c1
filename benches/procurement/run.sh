#!/usr/bin/env bash
# Side-by-side benchmark of the procurement analysis (levers-spend, release build) against pandas
# computing the same shares, on a generated year of 1,000,000 payments and 50,000 suppliers with an
# X-coded geography of 16,000 postcodes. Each tool loads the files once and runs its analysis
# REPEATS times (default 5); the median analysis time is compared, with the fastest and slowest run.
# Reports load seconds, peak memory (from /usr/bin/time -v) and whole-run wall seconds for both, and
# checks that they agree on the figures.
#
# Then, through a store, on the same year as a transparency file (spend.csv): levers imports the
# geography, the supplier file and the payments into a fresh SQLite database and analyses the year
# in a fresh process (`levers spend analyse --json`); DuckDB (Python) reads the same CSV files into a
# database file and computes the same headline shares in SQL; pandas reads them, keeps the payments
# as a file and computes the shares. STORE_RUNS runs each (default 3): median wall seconds and peak
# memory per step, and a check that all three agree on every figure. With LEVERS_BENCH_PG set to a
# PostgreSQL URL (an empty database), levers is also timed on PostgreSQL.
#
# Usage: benches/procurement/run.sh [ROWS] [SUPPLIERS] [REPEATS]   (env: CARGO_TARGET_DIR, BENCH_DIR, PYTHON)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROWS="${1:-1000000}"
SUPPLIERS="${2:-50000}"
REPEATS="${3:-5}"
STORE_RUNS="${STORE_RUNS:-3}"
BENCH_DIR="${BENCH_DIR:-$ROOT/bench-results/procurement}/${ROWS}_${SUPPLIERS}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$ROOT/.venv-bench"
if [ -z "${PYTHON:-}" ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q pandas duckdb pyarrow
  fi
  PYTHON="$VENV/bin/python"
fi
(cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p levers-spend --example procurement_bench)
(cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p levers --bin levers)
LEVERS="$TARGET/release/levers"
BIN="$TARGET/release/examples/procurement_bench"
mkdir -p "$BENCH_DIR"
[ -s "$BENCH_DIR/spend.csv" ] || "$BIN" gen "$BENCH_DIR" "$ROWS" "$SUPPLIERS"
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

# ---- Through a store: import + analysis, levers (SQLite, PostgreSQL) vs DuckDB vs pandas ----------
timed() { # NAME RUN STEP CMD…: runs CMD under /usr/bin/time, output to $BENCH_DIR/store/NAME.RUN.STEP.{out,time}
  local name="$1" run="$2" step="$3"; shift 3
  /usr/bin/time -v -o "$BENCH_DIR/store/$name.$run.$step.time" "$@" > "$BENCH_DIR/store/$name.$run.$step.out"
}
mkdir -p "$BENCH_DIR/store"
levers_run() { # DB RUN NAME
  local db="$1" run="$2" name="$3" dbs=(--database "$1")
  timed "$name" "$run" geo "$LEVERS" geo import "$BENCH_DIR/onspd.csv" "$BENCH_DIR/iod.csv" "${dbs[@]}"
  timed "$name" "$run" suppliers "$LEVERS" spend suppliers import "$BENCH_DIR/suppliers.csv" --body "Bench Council" "${dbs[@]}"
  timed "$name" "$run" import "$LEVERS" spend import "$BENCH_DIR/spend.csv" --body "Bench Council" "${dbs[@]}"
  timed "$name" "$run" analyse "$LEVERS" spend analyse --body "Bench Council" --year 2024/25 --local X07000001 \
    --wider X07000002,X07000003 --top 300 --json "${dbs[@]}"
}
for run in $(seq 1 "$STORE_RUNS"); do
  rm -f "$BENCH_DIR/store/levers.db"*
  levers_run "$BENCH_DIR/store/levers.db" "$run" levers
  if [ -n "${LEVERS_BENCH_PG:-}" ]; then
    psql -q "$LEVERS_BENCH_PG" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" > /dev/null
    levers_run "$LEVERS_BENCH_PG" "$run" levers_pg
  fi
  timed duckdb "$run" all "$PYTHON" "$ROOT/benches/procurement/duckdb_import.py" "$BENCH_DIR" "$BENCH_DIR/store/duck.db"
  (cd "$ROOT/benches/procurement" && timed pandas "$run" all "$PYTHON" pandas_import.py "$BENCH_DIR" "$BENCH_DIR/store/pandas.parquet")
done
"$PYTHON" - "$BENCH_DIR/store" "$STORE_RUNS" <<'PY'
import json, re, statistics, sys, os
d, runs = sys.argv[1], int(sys.argv[2])
def t(path):
    s = open(path).read()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", s)
    wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", s).group(1)) / 1024
    return wall, peak
def med(name, step):
    w = [t(f"{d}/{name}.{r}.{step}.time") for r in range(1, runs + 1)]
    return statistics.median(x[0] for x in w), max(x[1] for x in w)
figures = {}
rep = json.load(open(f"{d}/levers.{runs}.analyse.out"))
a, top = rep["all"], rep["top_n"]
figures["levers"] = {
    "total_pence": a["spend"]["total_pence"], "excluded_pence": a["spend"]["excluded_pence"],
    "analysed_pence": a["spend"]["analysed_pence"], "top300_analysed_pence": top["spend"]["analysed_pence"],
    **{k: a["shares"][k] for k in ["local", "wider", "deprived_decile_1", "deprived_decile_1_2", "sme", "vcse", "unknown_location"]},
    "top300_local": top["shares"]["local"],
}
for n in ("duckdb", "pandas"):
    figures[n] = json.load(open(f"{d}/{n}.{runs}.all.out"))
for k, v in figures["levers"].items():
    for n in ("duckdb", "pandas"):
        w = figures[n][k]
        ok = v == w if isinstance(v, int) else abs(v - w) < 1e-9
        assert ok, f"{k}: levers {v} {n} {w}"
print(f"store: levers, DuckDB and pandas agree on every figure (total {figures['levers']['total_pence']}, local {figures['levers']['local']:.4f})")
print(f"| tool | import s | import peak MB | analyse s (fresh process) | analyse peak MB |")
print("|---|---:|---:|---:|---:|")
for name in ["levers", "levers_pg"]:
    if not os.path.exists(f"{d}/{name}.1.import.time"):
        continue
    (iw, ip), (aw, ap) = med(name, "import"), med(name, "analyse")
    (sw, _), (gw, _) = med(name, "suppliers"), med(name, "geo")
    print(f"| {name} (payments; suppliers {sw:.2f} s, geography {gw:.2f} s) | {iw:.2f} | {ip:,.0f} | {aw:.2f} | {ap:,.0f} |")
for name in ["duckdb", "pandas"]:
    imps = [json.load(open(f"{d}/{name}.{r}.all.out")) for r in range(1, runs + 1)]
    w, p = med(name, "all")
    print(f"| {name} (whole run {w:.2f} s) | {statistics.median(x['import_seconds'] for x in imps):.2f} | {p:,.0f} (whole run) | {statistics.median(x['analyse_seconds'] for x in imps):.2f} | |")
PY
