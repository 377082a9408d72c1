#!/usr/bin/env bash
# Benchmark: levers-pb vs pabutools 1.2.3 (multiprofile), same run, on Kraków 2024, Wrocław 2015
# and Warszawa 2026, for every rule. Reports wall seconds (including parsing) and peak RSS
# (/usr/bin/time -v) and writes benches/pb/RESULTS.md.
#
#   benches/pb/run.sh [DATA_DIR] [PABUTOOLS_TIMEOUT_SECONDS]
#
# Needs /work/main/.venv-pb (python3 -m venv .venv-pb && .venv-pb/bin/pip install pabutools==1.2.3).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="${1:-$ROOT/../shared/data/pabulib}"
TIMEOUT="${2:-600}"
PY="$ROOT/.venv-pb/bin/python"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-pb}"
cargo build --release -q -p levers-pb --example pb
BIN="$CARGO_TARGET_DIR/release/examples/pb"
OUT="$ROOT/benches/pb/RESULTS.md"
FILES=("Poland_Krakow_2024.pb" "Poland_Wroclaw_2015_150_-_500.pb" "Poland_Warszawa_2026.pb")
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
    if [[ "$name" == "Phragmén" && "$f" != *Warszawa* ]]; then continue; fi
    read -r ls lm lst <<< "$(measure "$BIN" pb run "$DATA/$f" $largs)"
    ps="n/a"; pm="n/a"; sp=""
    if [ -n "$prule" ]; then
      read -r ps pm pst <<< "$(measure "$PY" "$ROOT/benches/pb/pabutools_rule.py" "$DATA/$f" "$prule")"
      if [[ "$ps" != \>* ]]; then sp=$(echo "scale=0; $ps / $ls" | bc)x; else sp=">$(echo "scale=0; $TIMEOUT / $ls" | bc)x"; fi
    fi
    echo "| $f | $name | $ls | $lm | $ps | $pm | $sp |" | tee -a "$OUT"
  done
done
echo "wrote $OUT"
