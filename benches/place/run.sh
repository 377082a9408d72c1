#!/usr/bin/env bash
# Benchmark of the place view (issue 15): a council with 1,000,000 payments (the procurement
# benchmark's generated year: district X07000001 has 40 wards and 200 LSOAs), a community budget
# with 20,000 ballots cast through the store and counted, and a 500-activity register. Loading (the
# imports and the setup) is timed apart; then, in a fresh process, the council's place view is built
# cold (reading the year's payments from the store) and warm (payments cached, as the web server
# keeps them) REPEATS times, and a ward's view. Side by side in the same run: the procurement
# dashboard's own analysis of the same year (`levers spend analyse --json`), the lever page the
# place view takes its spend from, and `levers place view --json` as a whole process.
# The cabinet report on the same year: a strategy with every computed measure (14, across the three
# levers) is added, then in a fresh process the report is evaluated and its standalone HTML (the
# page that prints on A4) rendered cold and warm REPEATS times, and `levers strategy report --html`
# runs as a whole process three times (median wall seconds and peak memory).
# Wall seconds and peak memory from /usr/bin/time -v. Release build, SQLite.
#
# Usage: benches/place/run.sh [REPEATS]   (env: CARGO_TARGET_DIR, BENCH_DIR; KEEP_DB=1 reuses a
# database an earlier run loaded and measures only the views and the report)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REPEATS="${1:-5}"
BENCH_DIR="${BENCH_DIR:-$ROOT/bench-results/place}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
(cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p levers-spend --example procurement_bench)
(cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p levers-app --example place_bench)
(cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p levers --bin levers)
LEVERS="$TARGET/release/levers"
GEN="$TARGET/release/examples/procurement_bench"
BENCH="$TARGET/release/examples/place_bench"
mkdir -p "$BENCH_DIR"
[ -s "$BENCH_DIR/spend.csv" ] || "$GEN" gen "$BENCH_DIR" 1000000 50000
DB="$BENCH_DIR/place.db"
t() { # NAME CMD…
  local name="$1"; shift
  /usr/bin/time -v -o "$BENCH_DIR/$name.time" "$@" > "$BENCH_DIR/$name.out"
}
if [ "${KEEP_DB:-0}" = 1 ] && [ -s "$DB" ] && [ -s "$BENCH_DIR/setup.out" ]; then
  echo "reusing $DB (KEEP_DB=1): the loading figures are those of the run that made it" >&2
else
rm -f "$DB" "$DB"-wal "$DB"-shm
# The place view needs each LSOA's ward: an LSOA-to-ward lookup in the ONS layout, from the
# generator's flat postcode list (postcode, lad, ward, lsoa, decile).
awk -F, 'BEGIN { print "lsoa21cd,lsoa21nm,wd22cd,wd22nm,lad22cd,lad22nm" } NR > 1 && !seen[$4]++ { print $4 ",L" $4 "," $3 ",W" $3 "," $2 ",D" $2 }' \
  "$BENCH_DIR/postcodes.csv" > "$BENCH_DIR/lsoa_ward.csv"
t geo "$LEVERS" geo import "$BENCH_DIR/onspd.csv" "$BENCH_DIR/iod.csv" "$BENCH_DIR/lsoa_ward.csv" --database "$DB"
t suppliers "$LEVERS" spend suppliers import "$BENCH_DIR/suppliers.csv" --body "Bench Council" --database "$DB"
t spend "$LEVERS" spend import "$BENCH_DIR/spend.csv" --body "Bench Council" --database "$DB"
t setup "$BENCH" setup "$DB"
t strategy "$BENCH" strategy "$DB"
fi
t view "$BENCH" view "$DB" "$REPEATS"
t analyse "$LEVERS" spend analyse --body "Bench Council" --year 2024/25 --local X07000001 \
  --wider X07000002,X07000003 --top 300 --json --database "$DB"
t cli_view "$LEVERS" place view --json --database "$DB"
t report "$BENCH" report "$DB" "$REPEATS"
for i in 1 2 3; do
  t "cli_report_$i" "$LEVERS" strategy report --html "$BENCH_DIR/report.html" --database "$DB"
done
python3 - "$BENCH_DIR" <<'PY'
import json, re, sys
d = sys.argv[1]
def peak(n):
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{d}/{n}.time").read()).group(1)) / 1024
def wall(n):
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", open(f"{d}/{n}.time").read())
    return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
v = json.load(open(f"{d}/view.out"))
setup = json.loads(open(f"{d}/setup.out").read())
cli = json.load(open(f"{d}/cli_view.out"))
an = json.load(open(f"{d}/analyse.out"))
local = an["all"]["pounds"]["local_pence"]
assert v["spend_pence"] == local == cli["figures"]["spend_pence"], (v["spend_pence"], local, cli["figures"]["spend_pence"])
print(f"setup: {setup}; spend with local suppliers {local/100:,.2f} (place view = dashboard analysis)")
print("| step | wall s | peak MB |")
print("|---|---:|---:|")
for n, label in [("geo", "geography import"), ("suppliers", "supplier import"), ("spend", "1,000,000-payment import"),
                 ("setup", "setup: populations, boundaries, 20,000 ballots cast and counted, 500 activities"),
                 ("view", "place view process (open, geography, views)"), ("analyse", "levers spend analyse (the dashboard's analysis), whole process"),
                 ("cli_view", "levers place view --json, whole process")]:
    print(f"| {label} | {wall(n):.2f} | {peak(n):,.0f} |")
r = json.load(open(f"{d}/report.out"))
runs = sorted((wall(f"cli_report_{i}"), peak(f"cli_report_{i}")) for i in (1, 2, 3))
print(f"| levers strategy report --html (cabinet report, {r['measures']} measures), whole process, median of 3 "
      f"({runs[0][0]:.2f}–{runs[2][0]:.2f} s) | {runs[1][0]:.2f} | {max(p for _, p in runs):,.0f} |")
print(f"in the report process: cabinet report ({r['objectives']} objectives, {r['measures']} measures, {r['html_bytes']:,} bytes of HTML) "
      f"cold {r['report_cold_seconds']:.3f} s, warm median {r['report_warm_median_seconds']:.3f} s of {len(r['report_warm_runs'])} "
      f"({min(r['report_warm_runs']):.3f}–{max(r['report_warm_runs']):.3f}); peak {peak('report'):,.0f} MB")
print(f"in the view process: geography load {v['load_seconds']:.2f} s; council place view cold {v['council_cold_seconds']:.3f} s, "
      f"warm median {v['council_warm_median_seconds']:.3f} s of {len(v['council_warm_runs'])} "
      f"({min(v['council_warm_runs']):.3f}–{max(v['council_warm_runs']):.3f}); a ward's view warm {v['ward_warm_seconds']:.3f} s")
PY
