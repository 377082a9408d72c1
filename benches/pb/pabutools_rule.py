#!/usr/bin/env python3
"""Run one pabutools 1.2.3 rule on a .pb file (multiprofile), for benches/pb/run.sh."""
import sys
from pabutools.election import parse_pabulib, Cost_Sat, Cardinality_Sat
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen, max_additive_utilitarian_welfare

path, rule = sys.argv[1], sys.argv[2]
instance, profile = parse_pabulib(path)
mp = profile.as_multiprofile()
if rule == "greedy_cost":
    out = greedy_utilitarian_welfare(instance, mp, sat_class=Cost_Sat)
elif rule == "greedy_card":
    out = greedy_utilitarian_welfare(instance, mp, sat_class=Cardinality_Sat)
elif rule == "mes_cost":
    out = method_of_equal_shares(instance, mp, sat_class=Cost_Sat)
elif rule == "mes_cost_add1":
    out = method_of_equal_shares(instance, mp, sat_class=Cost_Sat, voter_budget_increment=1)
elif rule == "mes_card":
    out = method_of_equal_shares(instance, mp, sat_class=Cardinality_Sat)
elif rule == "phragmen":
    out = sequential_phragmen(instance, mp)
elif rule == "max_welfare":
    out = max_additive_utilitarian_welfare(instance, mp, sat_class=Cost_Sat)
else:
    raise SystemExit(f"unknown rule {rule}")
print(",".join(str(p) for p in out))
