"""pandas computing the same headline shares as `procurement_bench run` on the same files.

Exclusions: the expense types the default levers rules exclude here (pensions, levies, tax payments)
plus payments to suppliers declared public bodies; net per supplier (ID, else exact name); suppliers
with a positive net are analysed; local = supplier postcode in X07000001; wider adds X07000002-3;
deprived by the postcode's LSOA decile; SME by declared type; top 300 by net. The analysis runs REPEATS times (argv[2], default 5) on the loaded frames and the
median is reported, as levers does. Prints JSON.
"""
import json, statistics, sys, time
import pandas as pd

def analyse(tx, sup, pcs):
    """Everything after loading, as one function so it can be timed repeatedly."""
    # Link by supplier ID, else by exact name (upper case, as levers' normalisation does for these names).
    by_name = dict(zip(sup["name"].str.upper(), sup["supplier_id"]))
    sid = tx["supplier_id"].where(tx["supplier_id"] != "", tx["supplier_name"].str.upper().map(by_name))
    tx = tx.assign(sid=sid)
    sup = sup.merge(pcs, how="left", on="postcode")
    info = sup.set_index("supplier_id")
    public = tx["sid"].map(info["type"]).eq("Public body")
    excluded = tx["expense_type"].isin(["Pension contributions", "Levies", "Tax payments"]) | public
    total = int(tx["amount_pence"].sum())
    excl = int(tx.loc[excluded, "amount_pence"].sum())
    net = tx.loc[~excluded].groupby("sid")["amount_pence"].sum()
    net = net[net > 0]
    a = pd.DataFrame({"net": net}).join(info[["lad", "decile", "type"]])
    analysed = int(a["net"].sum())
    def share(mask):
        return float(a.loc[mask, "net"].sum()) / analysed
    local = a["lad"].eq("X07000001")
    wider = a["lad"].isin(["X07000001", "X07000002", "X07000003"])
    top = a.sort_values("net", ascending=False).head(300)
    out = {
        "rows": int(len(tx)), "total_pence": total, "excluded_pence": excl, "analysed_pence": analysed,
        "local": share(local), "wider": share(wider), "deprived_decile_1": share(a["decile"].eq(1)),
        "deprived_decile_1_2": share(a["decile"].le(2)), "sme": share(a["type"].eq("SME")), "vcse": share(a["type"].eq("VCSE")),
        "unknown_location": share(a["lad"].isna()), "top300_analysed_pence": int(top["net"].sum()),
        "top300_local": float(top.loc[top["lad"].eq("X07000001"), "net"].sum()) / float(top["net"].sum()),
    }
    return out



if __name__ == "__main__":
    d = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    t0 = time.perf_counter()
    tx = pd.read_csv(f"{d}/transactions.csv", dtype={"supplier_id": str, "supplier_name": str, "expense_type": str, "amount_pence": "int64"}, keep_default_na=False)
    sup = pd.read_csv(f"{d}/suppliers.csv", dtype=str, keep_default_na=False)
    pcs = pd.read_csv(f"{d}/postcodes.csv", dtype={"postcode": str, "lad": str, "ward": str, "lsoa": str, "decile": "int64"}, keep_default_na=False)
    loaded = time.perf_counter() - t0



    runs = []
    for _ in range(max(repeats, 1)):
        t1 = time.perf_counter()
        out = analyse(tx, sup, pcs)
        runs.append(time.perf_counter() - t1)
    out["load_seconds"] = loaded
    out["analyse_seconds"] = statistics.median(runs)
    out["analyse_runs"] = runs
    print(json.dumps(out))
