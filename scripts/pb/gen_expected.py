#!/usr/bin/env python3
"""Regenerate crates/levers-pb/tests/expected/*.json with pabutools 1.2.3.

Usage:
    python3 -m venv .venv-pb && .venv-pb/bin/pip install pabutools==1.2.3
    .venv-pb/bin/python scripts/pb/gen_expected.py [DATA_DIR] [OUT_DIR]

DATA_DIR defaults to ../shared/data/pabulib (relative to the repo root), OUT_DIR to
crates/levers-pb/tests/expected. For every .pb file except checker_example_invalid.pb it records,
as ordered lists of project ids (selection order), the outcomes of:
  utilitarian_cost         greedy_utilitarian_welfare, Cost_Sat
  utilitarian_cardinality  greedy_utilitarian_welfare, Cardinality_Sat
  mes_cost                 method_of_equal_shares, Cost_Sat
  mes_cost_add1            method_of_equal_shares, Cost_Sat, voter_budget_increment=1
  phragmen                 sequential_phragmen (approval / choose-1 files only)
Each rule runs on the multiprofile (identical ballots collapsed), which does not change outcomes.
"""
import json
import os
import sys
import time

import pabutools
from pabutools.election import parse_pabulib, Cost_Sat, Cardinality_Sat
from pabutools.election.profile import AbstractApprovalProfile
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data", "pabulib")
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "crates", "levers-pb", "tests", "expected")
only = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
os.makedirs(out, exist_ok=True)

files = sorted(f for f in os.listdir(data) if f.endswith(".pb") and f != "checker_example_invalid.pb")
files.sort(key=lambda f: os.path.getsize(os.path.join(data, f)))
for f in files:
    if only and f not in only:
        continue
    instance, profile = parse_pabulib(os.path.join(data, f))
    mp = profile.as_multiprofile()
    rules = {
        "utilitarian_cost": lambda: greedy_utilitarian_welfare(instance, mp, sat_class=Cost_Sat),
        "utilitarian_cardinality": lambda: greedy_utilitarian_welfare(instance, mp, sat_class=Cardinality_Sat),
        "mes_cost": lambda: method_of_equal_shares(instance, mp, sat_class=Cost_Sat),
        "mes_cost_add1": lambda: method_of_equal_shares(instance, mp, sat_class=Cost_Sat, voter_budget_increment=1),
    }
    if isinstance(profile, AbstractApprovalProfile):
        rules["phragmen"] = lambda: sequential_phragmen(instance, mp)
    result = {"file": f, "pabutools": pabutools.__version__ if hasattr(pabutools, "__version__") else "1.2.3",
              "voters": profile.num_ballots(), "distinct_ballots": len(mp), "outcomes": {}, "seconds": {}}
    for name, fn in rules.items():
        t = time.time()
        alloc = fn()
        result["seconds"][name] = round(time.time() - t, 3)
        result["outcomes"][name] = [str(p.name) for p in alloc]
        print(f"{f} {name} {result['seconds'][name]}s", flush=True)
    with open(os.path.join(out, f[:-3] + ".json"), "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
