#!/usr/bin/env python3
"""The same cleaning as `levers spend check`, done the usual pandas way, for the side-by-side benchmark:
find the header below the preamble, read every column as text, clean amounts (£, padding, thousands
separators, leading/trailing minus, parentheses) to pence, parse the mixed date formats (each known
format vectorised, then combined), recognise the grand-total row and check it, count negatives,
redacted and distinct suppliers. Prints a JSON summary.

Usage: pandas_clean.py FILE.csv
"""
import io
import json
import sys

import numpy as np
import pandas as pd


def main():
    raw = open(sys.argv[1], "rb").read()
    try:
        text = raw.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
        encoding = "windows-1252"
    head = text[:65536].splitlines()
    header_row = next(i for i, line in enumerate(head[:60]) if "amount" in line.lower() and "supplier" in line.lower())
    df = pd.read_csv(io.StringIO(text), skiprows=header_row, dtype=str, keep_default_na=False)
    df = df.loc[:, [c for c in df.columns if not c.startswith("Unnamed")]]
    df.columns = [c.strip() for c in df.columns]

    amt = df["Amount"].str.strip().str.replace("\u00a3", "", regex=False).str.replace(",", "", regex=False).str.strip()
    neg = amt.str.endswith("-") | amt.str.startswith("(")
    amt = amt.str.strip("()").str.rstrip("-").str.strip()
    value = pd.to_numeric(amt, errors="coerce")
    pence = (value * 100).round()
    pence = pence.where(~neg, -pence)

    date_s = df["Date"].str.strip()
    dates = pd.to_datetime(date_s, format="%d/%m/%Y", errors="coerce")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%d-%b-%Y", "%d/%m/%y"):
        missing = dates.isna()
        if missing.any():
            dates = dates.fillna(pd.to_datetime(date_s.where(missing), format=fmt, errors="coerce"))

    supplier = df["Supplier Name"].str.strip()
    is_total = (date_s == "") & (supplier == "") & pence.notna()
    blank = (df == "").all(axis=1)
    data = ~is_total & ~blank
    rejected = data & (pence.isna() | (dates.isna() & (date_s != "")))
    kept = data & ~rejected
    p = pence[kept].astype(np.int64)
    total = int(p.sum())
    grand = pence[is_total]
    summary = {
        "encoding": encoding,
        "header_row": header_row,
        "rows": int(kept.sum()),
        "rejected": int(rejected.sum()),
        "total_pence": total,
        "negatives": int((p < 0).sum()),
        "negative_total_pence": int(p[p < 0].sum()),
        "distinct_suppliers": int(supplier[kept & (supplier != "")].nunique()),
        "redacted": int(supplier[kept].str.contains("redact", case=False).sum()),
        "first_date": str(dates[kept].min().date()),
        "last_date": str(dates[kept].max().date()),
        "grand_total_matched": bool(len(grand) > 0 and int(grand.iloc[-1]) == total),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
