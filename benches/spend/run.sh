#!/usr/bin/env bash
# Side-by-side benchmark of `levers spend check` (release build of crates/levers-spend/examples/spend_check)
# against pandas doing the same cleaning, on a generated 1,000,000-row transparency file (~200 MB).
# Reports seconds, MB/s and peak memory (from /usr/bin/time -v) for both, and checks they agree.
#
# Usage: benches/spend/run.sh [ROWS]      (env: CARGO_TARGET_DIR, BENCH_DIR, PYTHON)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROWS="${1:-1000000}"
BENCH_DIR="${BENCH_DIR:-$ROOT/bench-results/spend}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$ROOT/.venv-spend"
mkdir -p "$BENCH_DIR"

if [ -z "${PYTHON:-}" ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q pandas
  fi
  PYTHON="$VENV/bin/python"
fi

FILE="$BENCH_DIR/spend_${ROWS}.csv"
if [ ! -s "$FILE" ]; then
  echo "generating $FILE ..." >&2
  python3 "$ROOT/benches/spend/gen_spend.py" "$FILE" "$ROWS"
fi

(cd "${BUILD_DIR:-$ROOT}" && CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p levers-spend --example spend_check)
BIN="$TARGET/release/examples/spend_check"

PIN=""  # both tools are single-threaded; pinning to a core shared with other jobs only adds noise

run() { # name, output file, command...
  local name="$1" out="$2"; shift 2
  /usr/bin/time -v -o "$BENCH_DIR/$name.time" $PIN "$@" > "$out"
}

# Warm the page cache so both read the file from memory.
cat "$FILE" > /dev/null
run levers "$BENCH_DIR/levers.json" "$BIN" --json "$FILE"
run levers_stream "$BENCH_DIR/levers_stream.json" "$BIN" --json --stream "$FILE"
run pandas "$BENCH_DIR/pandas.json" "$PYTHON" "$ROOT/benches/spend/pandas_clean.py" "$FILE"

python3 - "$FILE" "$BENCH_DIR" <<'PY'
import json, os, re, sys
path, d = sys.argv[1], sys.argv[2]
size_mb = os.path.getsize(path) / 1e6
def timing(name):
    t = open(os.path.join(d, name + ".time")).read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", t)
    secs = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", t).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
    return secs, user, rss
lv = json.load(open(os.path.join(d, "levers.json")))
lv = lv[0] if isinstance(lv, list) else lv
pd = json.load(open(os.path.join(d, "pandas.json")))
agree = (lv["rows"] == pd["rows"] and lv["total"] == pd["total_pence"] and lv["negatives"] == pd["negatives"]
         and lv["distinct_suppliers"] == pd["distinct_suppliers"] and lv["redacted_rows"] == pd["redacted"])
print(f"file: {path} ({size_mb:.1f} MB, {lv['rows']:,} rows kept, grand total matched: {lv['grand_total']['matched'] if lv['grand_total'] else None})")
print(f"results agree (rows, total, negatives, suppliers, redacted): {agree}")
print()
print("| tool | wall s | user s | MB/s | peak RSS MB |")
print("|---|---:|---:|---:|---:|")
rows = {}
labels = {"levers": "levers check", "levers_stream": "levers stream (+ identities)", "pandas": "pandas"}
for name in ("levers", "levers_stream", "pandas"):
    s, u, r = timing(name)
    rows[name] = s
    print(f"| {labels[name]} | {s:.2f} | {u:.2f} | {size_mb / s:.0f} | {r:.0f} |")
print()
print(f"levers check is {rows['pandas'] / rows['levers']:.1f}x faster than pandas (stream: {rows['pandas'] / rows['levers_stream']:.1f}x)")
if not agree:
    print("levers:", {k: lv[k] for k in ("rows", "total", "negatives", "distinct_suppliers", "redacted_rows")})
    print("pandas:", pd)
    sys.exit(1)
PY
