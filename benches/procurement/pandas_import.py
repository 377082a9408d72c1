"""pandas doing what `levers spend import` + `levers spend analyse` do for the headline figures: read
the transparency file (spend.csv: dates, amounts in pounds), the supplier file and the postcode
lookup, keep the payments as a Parquet file (pandas' nearest thing to a store), then compute the same
shares as pandas_analyse.py. Prints JSON with the seconds spent importing and analysing.

Usage: pandas_import.py DIR STOREFILE
"""
import json, sys, time
import pandas as pd
from pandas_analyse import analyse

d, store = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
raw = pd.read_csv(f"{d}/spend.csv", dtype=str, keep_default_na=False)
tx = pd.DataFrame({
    "paid_on": pd.to_datetime(raw["Date"], format="%d/%m/%Y"),
    "supplier_id": raw["Supplier ID"],
    "supplier_name": raw["Supplier Name"],
    "amount_pence": (pd.to_numeric(raw["Amount"]) * 100).round().astype("int64"),
    "expense_type": raw["Expense Type"],
})
del raw
sup = pd.read_csv(f"{d}/suppliers.csv", dtype=str, keep_default_na=False)
pcs = pd.read_csv(f"{d}/postcodes.csv", dtype={"postcode": str, "lad": str, "ward": str, "lsoa": str, "decile": "int64"}, keep_default_na=False)
try:
    tx.to_parquet(store)
except ImportError:
    tx.to_pickle(store)
imported = time.perf_counter() - t0
t1 = time.perf_counter()
out = analyse(tx, sup, pcs)
out["import_seconds"] = imported
out["analyse_seconds"] = time.perf_counter() - t1
print(json.dumps(out))
