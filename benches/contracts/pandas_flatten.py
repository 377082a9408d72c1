"""The reference for benches/contracts: the same flattening levers does, the usual Python way.
json.load reads the whole release package; each release is flattened to one row (notice type,
stage, CPV codes wherever they sit, net and gross values with award values preferred, contract
period with maxExtentDate, renewal, suppliers with scale and VCSE); pandas drops exact repeats
(same ocid and release id), orders by release date and keeps, per ocid, the last value given for
each field (a later release updates, an earlier one only fills gaps). Prints a JSON summary.

    python pandas_flatten.py FILE
"""
import json
import sys

import pandas as pd

STAGE = {"UK1": "planning", "UK2": "planning", "UK3": "planning", "UK4": "tender", "UK5": "award", "UK6": "award", "UK7": "contract"}


def pence(v):
    if v is None:
        return None
    return int(round(float(v) * 100))


def flatten(r):
    t = r.get("tender") or {}
    docs = list((r.get("planning") or {}).get("documents") or []) + list(t.get("documents") or [])
    for a in r.get("awards") or []:
        docs += a.get("documents") or []
    notice = None
    for d in docs:
        if d.get("noticeType"):
            notice = d["noticeType"]
    cpv = []
    items = list(t.get("items") or [])
    for a in r.get("awards") or []:
        items += a.get("items") or []
    for it in items:
        for c in ([it["classification"]] if it.get("classification") else []) + list(it.get("additionalClassifications") or []):
            if (c.get("scheme") or "CPV").upper() == "CPV" and c.get("id") and c["id"][:8] not in cpv:
                cpv.append(c["id"][:8])
    net = gross = None
    v = t.get("value") or {}
    net, gross = pence(v.get("amount")), pence(v.get("amountGross"))
    awards = [a for a in r.get("awards") or [] if a.get("status") not in ("cancelled", "unsuccessful")]
    an = [pence((a.get("value") or {}).get("amount")) for a in awards if (a.get("value") or {}).get("amount") is not None]
    ag = [pence((a.get("value") or {}).get("amountGross")) for a in awards if (a.get("value") or {}).get("amountGross") is not None]
    if an:
        net = sum(an)
    if ag:
        gross = sum(ag)
    period = None
    for a in awards:
        period = period or a.get("contractPeriod")
    lots = t.get("lots") or []
    if period is None and t.get("contractPeriod"):
        period = t["contractPeriod"]
    end = maxx = None
    if period:
        end, maxx = (period.get("endDate") or "")[:10] or None, (period.get("maxExtentDate") or "")[:10] or None
    elif lots:
        ends = [(l.get("contractPeriod") or {}).get("endDate", "")[:10] for l in lots if (l.get("contractPeriod") or {}).get("endDate")]
        maxs = [(l.get("contractPeriod") or {}).get("maxExtentDate", "")[:10] for l in lots if (l.get("contractPeriod") or {}).get("maxExtentDate")]
        end, maxx = (max(ends) if ends else None), (max(maxs) if maxs else None)
    parties = {p.get("id"): p for p in r.get("parties") or []}
    sups = [s for a in awards for s in a.get("suppliers") or []]
    details = [(parties.get(s.get("id")) or {}).get("details") or {} for s in sups]
    return {
        "ocid": r["ocid"], "id": r.get("id"), "date": r.get("date"), "notice_type": notice,
        "stage": STAGE.get(notice, "contract"), "title": t.get("title"), "buyer": (r.get("buyer") or {}).get("name"),
        "cpv": ",".join(cpv) or None, "value_net": net, "value_gross": gross, "end": end, "max_extent": maxx,
        "has_renewal": any(l.get("hasRenewal") for l in lots) or any(a.get("hasRenewal") for a in awards) or None,
        "suppliers": "; ".join(s.get("name", "") for s in sups) or None,
        "scale": ",".join(d.get("scale", "") for d in details) or None,
        "vcse": any(d.get("vcse") for d in details) if details else None,
    }


def main():
    with open(sys.argv[1]) as f:
        package = json.load(f)
    releases = package["releases"]
    df = pd.DataFrame([flatten(r) for r in releases])
    read = len(df)
    df = df.drop_duplicates(subset=["ocid", "id"])
    duplicates = read - len(df)
    df["when"] = pd.to_datetime(df["date"], utc=True, format="ISO8601")
    df = df.sort_values("when", kind="stable")
    merged = df.groupby("ocid", sort=False).last()
    out = {
        "read": read, "duplicates": int(duplicates), "contracts": int(len(merged)),
        "value_net_pence": int(merged["value_net"].fillna(0).sum()), "value_gross_pence": int(merged["value_gross"].fillna(0).sum()),
        "with_cpv": int(merged["cpv"].notna().sum()), "with_max_extent": int(merged["max_extent"].notna().sum()),
        "by_notice": {k: int(v) for k, v in merged["notice_type"].value_counts().sort_index().items()},
    }
    print(json.dumps(out))


main()
