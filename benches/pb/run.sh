#!/usr/bin/env bash
# Benchmark: levers-pb vs pabutools 1.2.3 (multiprofile), same run, on Kraków 2024, Wrocław 2015,
# Warszawa 2026 and Budapest 2024, for every rule; then MES with every completion and semantics on
# Budapest 2024, the generated £2,000,000 community budget vote counted through `count::count`
# (what `levers community-budget count` calls), the crafted 3,000 × 3,000 × 200 election, and a
# whole-corpus run (every shared file, every MES completion and semantics) naming the slowest file.
# Reports wall seconds (including parsing) and peak RSS (/usr/bin/time -v) and writes
# benches/pb/RESULTS.md (or RESULTS-new.md with `new`).
#
#   benches/pb/run.sh [DATA_DIR] [PABUTOOLS_TIMEOUT_SECONDS] [all|new]
#
# `new` runs only the sections added for issue 21 (Budapest, community vote, crafted, corpus).
# Needs a venv with pabutools==1.2.3 at $ROOT/.venv-pb, or PB_VENV=/path (e.g.
# python3 -m venv /tmp/venv-pb && /tmp/venv-pb/bin/pip install pabutools==1.2.3).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="${1:-$ROOT/../shared/data/pabulib}"
TIMEOUT="${2:-600}"
WHAT="${3:-all}"
PY="${PB_VENV:-$ROOT/.venv-pb}/bin/python"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cargo build --release -q -p levers-pb --example pb --example pb_bench -p levers --bin levers -p levers-app --example vote_bench
BIN="$CARGO_TARGET_DIR/release/examples/pb"
GEN="$CARGO_TARGET_DIR/release/examples/pb_bench"
LEVERS="$CARGO_TARGET_DIR/release/levers"
VOTE="$CARGO_TARGET_DIR/release/examples/vote_bench"
OUT="$ROOT/benches/pb/RESULTS.md"
if [ "$WHAT" = new ]; then OUT="$ROOT/benches/pb/RESULTS-new.md"; fi
FILES=("Poland_Krakow_2024.pb" "Poland_Wroclaw_2015_150_-_500.pb" "Poland_Warszawa_2026.pb" "Hungary_Budapest_2024.pb")
if [ "$WHAT" = new ]; then FILES=("Hungary_Budapest_2024.pb"); fi
# name | levers args | pabutools rule
RULES=(
  "greedy (city)|--rule greedy|"
  "utilitarian cost|--rule utilitarian --sat cost --fund-unsupported|greedy_cost"
  "utilitarian cardinality|--rule utilitarian --sat cardinality --fund-unsupported|greedy_card"
  "MES cost|--rule mes --sat cost|mes_cost"
  "MES cost add1|--rule mes --sat cost --completion add1|mes_cost_add1"
  "MES cardinality|--rule mes --sat cardinality|mes_card"
  "Phragmén|--rule phragmen|phragmen"
  "max welfare|--rule max-welfare|max_welfare"
)
measure() { # prints "seconds maxrss_mb status"
  local log; log=$(mktemp)
  local start end rc=0
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$log" timeout "$TIMEOUT" "$@" >/dev/null 2>&1 || rc=$?
  end=$(date +%s.%N)
  local rss; rss=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$log")
  rm -f "$log"
  local secs; secs=$(echo "$end - $start" | bc)
  if [ "$rc" = 124 ]; then echo ">$TIMEOUT $(echo "scale=0; $rss/1024" | bc) timeout"; else echo "$secs $(echo "scale=0; $rss/1024" | bc) rc=$rc"; fi
}
{
  echo "# levers-pb vs pabutools 1.2.3"
  echo
  echo "Machine: $(nproc) cores, $(uname -sr). pabutools runs on the multiprofile (identical ballots collapsed), timeout ${TIMEOUT}s."
  echo "Times are wall seconds including parsing; memory is peak RSS (MB)."
  echo
  echo "| file | rule | levers s | levers MB | pabutools s | pabutools MB | speed-up |"
  echo "|---|---|---:|---:|---:|---:|---:|"
} > "$OUT"
for f in "${FILES[@]}"; do
  for r in "${RULES[@]}"; do
    IFS='|' read -r name largs prule <<< "$r"
    if [[ "$name" == "Phragmén" && "$f" != *Warszawa* && "$f" != *Budapest* ]]; then continue; fi
    read -r ls lm lst <<< "$(measure "$BIN" pb run "$DATA/$f" $largs)"
    ps="n/a"; pm="n/a"; sp=""
    if [ -n "$prule" ]; then
      read -r ps pm pst <<< "$(measure "$PY" "$ROOT/benches/pb/pabutools_rule.py" "$DATA/$f" "$prule")"
      if [[ "$ps" != \>* ]]; then sp=$(echo "scale=0; $ps / $ls" | bc)x; else sp=">$(echo "scale=0; $TIMEOUT / $ls" | bc)x"; fi
    fi
    echo "| $f | $name | $ls | $lm | $ps | $pm | $sp |" | tee -a "$OUT"
  done
done

# MES with every completion and semantics on Budapest 2024 (levers only)
{
  echo
  echo "## MES on Budapest 2024, every completion and semantics (levers)"
  echo
  echo "| completion | semantics | levers s | levers MB |"
  echo "|---|---|---:|---:|"
} >> "$OUT"
for c in none add1 add1u utilitarian; do
  for sem in pabutools equalshares checker; do
    read -r ls lm lst <<< "$(measure "$BIN" pb run "$DATA/Hungary_Budapest_2024.pb" --rule mes --completion $c --semantics $sem)"
    echo "| $c | $sem | $ls | $lm |" | tee -a "$OUT"
  done
done

# the generated £2,000,000 community budget vote (pence, 50,000 approval ballots, 60 projects),
# counted with the process's default rule (MES, add1u, equalshares) through count::count
{
  echo
  echo "## Generated £2,000,000 community budget vote (50,000 approval ballots, 60 projects)"
  echo
  echo "Counted through \`levers_pb::count::count\` (what \`levers community-budget count\` calls), default rule: $("$GEN" community | sed 's/^/  /')"
  echo
  read -r ls lm lst <<< "$(measure "$GEN" community)"
  # the same vote as a council holds it: a closed process in a SQLite database (proposals
  # accepted, a code per ballot, every ballot cast through the store), counted by the CLI, which
  # seals the box, reads and checks every ballot, counts, and stores the result and its file
  VDIR=$(mktemp -d)
  "$VOTE" setup "$VDIR/vote.db" >/dev/null
  "$LEVERS" community-budget count generated --database "$VDIR/vote.db" | head -1 | sed 's/^/  /'
  echo
  rm -f "$VDIR"/vote.db*
  "$VOTE" setup "$VDIR/vote.db" >/dev/null
  read -r cs cm cst <<< "$(measure "$LEVERS" community-budget count generated --database "$VDIR/vote.db")"
  rm -rf "$VDIR"
  echo "| case | levers s | levers MB |"
  echo "|---|---:|---:|"
  echo "| £2,000,000, 50,000 ballots: generation + count in memory (\`pb_bench community\`) | $ls | $lm |"
  echo "| £2,000,000, 50,000 ballots: \`levers community-budget count\` on SQLite | $cs | $cm |"
} | tee -a "$OUT"

# the crafted election: 3,000 projects × 3,000 voters × 200 approvals
CRAFTED=$(mktemp --suffix=.pb)
"$GEN" crafted "$CRAFTED" >/dev/null
{
  echo
  echo "## Crafted election (3,000 projects × 3,000 voters × 200 approvals)"
  echo
  echo "| command | levers s | levers MB | exit |"
  echo "|---|---:|---:|---|"
} >> "$OUT"
for args in "run --rule mes --completion add1" "run --rule mes --completion add1 --semantics equalshares" "run --rule phragmen" "compare --rules greedy,utilitarian,mes,mes:add1" "compare --rules greedy,utilitarian,mes,mes:add1,phragmen"; do
  read -r ls lm lst <<< "$(measure "$BIN" pb ${args%% *} "$CRAFTED" ${args#* })"
  msg=$("$BIN" pb ${args%% *} "$CRAFTED" ${args#* } 2>&1 >/dev/null | head -c 200 || true)
  echo "| pb $args | $ls | $lm | $lst ${msg:+($msg)} |" | tee -a "$OUT"
done
rm -f "$CRAFTED"

# whole corpus: every shared file, MES with every completion and semantics, one process per run
{
  echo
  echo "## Whole corpus: MES, every completion × semantics, every shared file (levers)"
  echo
} >> "$OUT"
tot=0; slow=""; slows=0
for f in "$DATA"/*.pb; do
  for c in none add1 add1u utilitarian; do
    for sem in pabutools equalshares checker; do
      read -r ls lm lst <<< "$(measure "$BIN" pb run "$f" --rule mes --completion $c --semantics $sem)"
      tot=$(echo "$tot + $ls" | bc)
      if (( $(echo "$ls > $slows" | bc) )); then slows=$ls; slow="$(basename "$f") $c $sem"; fi
    done
  done
done
echo "$(ls "$DATA"/*.pb | wc -l) files × 12 runs: total $tot s; slowest run $slows s ($slow)." | tee -a "$OUT"
echo "wrote $OUT"
