#!/usr/bin/env bash
# Side-by-side benchmark of reading OCDS (issue 16): a generated 1,000,000-release Find a Tender
# style release package (~1.8 GB), flattened and merged per ocid by
#   - levers flatten: crates/levers-app/examples/ocds_flatten (the streamed reader, one
#     release in memory at a time, grouped by ocid through the import's partition files and
#     merged a partition at a time: bounded memory);
#   - levers stream: the same reader flattening every release without merging (the reader's own
#     memory: one release at a time);
#   - levers import: `levers contracts import` into a fresh SQLite database (the real import: the
#     same reader, batches of 2,000 merged with what is stored, one transaction; bounded memory),
#     on the first IMPORT_N releases (default all; the database takes about 1.8 KB a release of disk);
#   - pandas: pandas_flatten.py (json.load of the whole file, the same flattening, pandas
#     drop_duplicates and groupby(ocid).last()).
# Reports wall and user seconds and peak memory from /usr/bin/time -v, and checks that levers and
# pandas agree on releases, duplicates, contracts, value sums and notice types.
#
# Usage: benches/contracts/run.sh [RELEASES]   (env: CARGO_TARGET_DIR, BENCH_DIR, PYTHON, SKIP_IMPORT=1)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
N="${1:-1000000}"
BENCH_DIR="${BENCH_DIR:-$ROOT/bench-results/contracts}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="${VENV:-$ROOT/.venv-contracts}"
mkdir -p "$BENCH_DIR"

if [ -z "${PYTHON:-}" ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q pandas
  fi
  PYTHON="$VENV/bin/python"
fi

FILE="$BENCH_DIR/ocds_${N}.json"
if [ ! -s "$FILE" ]; then
  echo "generating $FILE ..." >&2
  python3 "$ROOT/benches/contracts/gen_ocds.py" "$FILE" "$N"
fi

# One build for both, so that features are unified once (two builds would rebuild each other's).
if [ -z "${SKIP_IMPORT:-}" ]; then
  (cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p levers -p levers-app --example ocds_flatten)
else
  (cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p levers-app --example ocds_flatten)
fi

run() { # name, output file, command...
  local name="$1" out="$2"; shift 2
  /usr/bin/time -v -o "$BENCH_DIR/$name.time" "$@" > "$out"
}

cat "$FILE" > /dev/null   # warm the page cache for every tool alike
run levers "$BENCH_DIR/levers.json" "$TARGET/release/examples/ocds_flatten" "$FILE"
run levers_stream "$BENCH_DIR/levers_stream.json" "$TARGET/release/examples/ocds_flatten" --stream "$FILE"
if [ -z "${SKIP_IMPORT:-}" ]; then
  IMPORT_N="${IMPORT_N:-$N}"
  IFILE="$FILE"
  if [ "$IMPORT_N" != "$N" ]; then
    IFILE="$BENCH_DIR/ocds_${IMPORT_N}.json"
    [ -s "$IFILE" ] || python3 "$ROOT/benches/contracts/gen_ocds.py" "$IFILE" "$IMPORT_N"
  fi
  rm -f "$BENCH_DIR/import.db" "$BENCH_DIR/import.db-wal" "$BENCH_DIR/import.db-shm"
  run levers_import "$BENCH_DIR/levers_import.json" "$TARGET/release/levers" contracts import --database "$BENCH_DIR/import.db" --json "$IFILE"
  rm -f "$BENCH_DIR/import.db" "$BENCH_DIR/import.db-wal" "$BENCH_DIR/import.db-shm"
fi
run pandas "$BENCH_DIR/pandas.json" "$PYTHON" "$ROOT/benches/contracts/pandas_flatten.py" "$FILE"

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
pd = json.load(open(os.path.join(d, "pandas.json")))
keys = ("read", "duplicates", "contracts", "value_net_pence", "value_gross_pence", "with_cpv", "with_max_extent", "by_notice")
agree = all(lv[k] == pd[k] for k in keys)
print(f"file: {path} ({size_mb:.0f} MB, {lv['read']:,} releases, {lv['contracts']:,} contracts, {lv['duplicates']:,} repeats)")
print(f"levers and pandas agree ({', '.join(keys)}): {agree}")
rows = {}
print()
print("| tool | wall s | user s | MB/s | peak RSS MB |")
print("|---|---:|---:|---:|---:|")
names = [("levers", "levers flatten (stream, merge per ocid in partitions)"), ("levers_stream", "levers stream (flatten only)")]
st = json.load(open(os.path.join(d, "levers_stream.json")))
assert st["read"] == lv["read"] and st["flattened"] == lv["read"], st
if os.path.exists(os.path.join(d, "levers_import.time")) and os.path.getsize(os.path.join(d, "levers_import.json")):
    imp = json.load(open(os.path.join(d, "levers_import.json")))[0]["import"]
    print(f"levers contracts import: {imp['records_read']:,} releases = {imp['new']:,} new + {imp['updated']:,} updated + {imp['older']:,} older + {imp['duplicates']:,} duplicates + {imp['rejected']} rejected")
    if imp["records_read"] == lv["read"]:
        assert imp["duplicates"] == lv["duplicates"] and imp["new"] == lv["contracts"], imp
    names.append(("levers_import", f"levers contracts import (SQLite, {imp['records_read']:,} releases)"))
    import_mb = json.load(open(os.path.join(d, "levers_import.json")))[0]["report"]["bytes"] / 1e6
names.append(("pandas", "pandas (json.load + DataFrame)"))
for name, label in names:
    s, u, r = timing(name)
    rows[name] = s
    mb = import_mb if name == "levers_import" else size_mb
    print(f"| {label} | {s:.1f} | {u:.1f} | {mb / s:.0f} | {r:.0f} |")
print()
pu = timing("pandas")[1]
for name, label in names[:2]:
    print(f"{label}: {rows['pandas'] / rows[name]:.1f}x faster than pandas by wall clock, {pu / timing(name)[1]:.1f}x by CPU (user) seconds")
if not agree:
    print("levers:", {k: lv[k] for k in keys}); print("pandas:", {k: pd[k] for k in keys}); sys.exit(1)
PY
