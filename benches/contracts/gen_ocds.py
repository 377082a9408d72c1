"""Writes an OCDS release package of N releases shaped like Find a Tender's (Procurement Act 2023
notices with the UK extension): UK1 pipeline, UK4 tender and UK6 award releases, CPV codes in
items[].additionalClassifications, net and gross values, lots with contract periods, renewals and
maxExtentDate, suppliers with scale and VCSE flags, mixed time zones. About 40% of ocids get a later
award release (an update) and 2% of releases are repeated exactly (duplicates). Deterministic.

    python3 gen_ocds.py FILE N
"""
import json
import random
import sys

path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(16)
CPV = [("85311000", "Social work services with accommodation"), ("85312000", "Social work services without accommodation"),
       ("90511000", "Refuse collection services"), ("45000000", "Construction work"), ("72000000", "IT services"),
       ("55524000", "School catering services"), ("77314000", "Grounds maintenance services"), ("60130000", "Special-purpose road passenger-transport services"),
       ("79314000", "Feasibility study"), ("09323000", "District heating"), ("90910000", "Cleaning services"), ("79620000", "Supply services of personnel")]
TOWNS = ["Shefford", "Morpeth", "Harrogate", "Preston", "Burnley", "Swansea", "Bradford", "Lancaster"]
WORDS = ("supported living services person centred support adults eligible care needs independence wellbeing community "
         "provider deliver safe effective outcome focused collaboration residents families partners procurement competitive flexible").split()


def text(k):
    return " ".join(rng.choice(WORDS) for _ in range(k)).capitalize() + "."


def when(day, tz):
    m, d = 1 + day // 28 % 12, 1 + day % 28
    return f"2026-{m:02d}-{d:02d}T{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:00{tz}"


def period(y0):
    return {"startDate": f"{y0}-04-01T00:00:00+01:00", "endDate": f"{y0 + 3}-03-31T23:59:59+01:00",
            "maxExtentDate": f"{y0 + 5}-03-31T23:59:59+01:00"}


def buyer(i):
    b = i % 400
    return {"name": f"{TOWNS[b % len(TOWNS)]} Council {b}", "id": f"GB-PPON-PB{b:03d}-1137-QJBX",
            "identifier": {"scheme": "GB-PPON", "id": f"PB{b:03d}-1137-QJBX"},
            "address": {"streetAddress": "Civic Centre", "locality": TOWNS[b % len(TOWNS)], "postalCode": "SG17 5TQ", "country": "GB", "region": "UKH25"},
            "contactPoint": {"name": "Procurement team", "email": "procurement@example.invalid"},
            "roles": ["buyer"], "details": {"classifications": [{"scheme": "UK_CA_TYPE", "id": "publicAuthoritySubCentralGovernment"}]}}


def tender_release(i, notice):
    cpv = rng.choice(CPV)
    net = rng.randrange(10_000, 5_000_000)
    gross = round(net * 1.2, 2)
    y0 = rng.choice([2026, 2027])
    b = buyer(i)
    tz = rng.choice(["+01:00", "Z", "+00:00"])
    rid = f"{i:06d}-2026"
    return {
        "ocid": f"ocds-h6vhtk-{i:07x}", "id": rid, "date": when(i % 300, tz), "tag": ["planning" if notice == "UK1" else "tender"],
        "initiationType": "tender", "parties": [b], "buyer": {"id": b["id"], "name": b["name"]},
        **({"planning": {"documents": [{"id": rid, "documentType": "plannedProcurementNotice", "noticeType": "UK1"}]}} if notice == "UK1" else {}),
        "tender": {
            "id": f"REF-{i}", "title": f"{cpv[1]} for {b['name']}", "description": text(12),
            "status": "planned" if notice == "UK1" else "active",
            "items": [{"id": "1", "additionalClassifications": [{"scheme": "CPV", "id": cpv[0], "description": cpv[1]}],
                       "deliveryAddresses": [{"region": "UKH25", "country": "GB"}], "relatedLot": "1"}],
            "value": {"amountGross": gross, "amount": net, "currency": "GBP"},
            "procurementMethod": "open", "procurementMethodDetails": "Competitive flexible procedure",
            "mainProcurementCategory": "works" if cpv[0].startswith("45") else "services",
            "aboveThreshold": gross >= 207720,
            "tenderPeriod": {"endDate": f"{y0}-0{rng.randrange(1, 9)}-15T12:00:00+00:00"},
            "lots": [{"id": "1", "status": "planned" if notice == "UK1" else "active", "value": {"amountGross": gross, "amount": net, "currency": "GBP"},
                      "contractPeriod": period(y0), "hasRenewal": True, "renewal": {"description": "Option to extend for up to two further years."}}],
            "documents": [{"id": rid, "documentType": "tenderNotice", "noticeType": notice,
                           "url": f"https://www.find-tender.service.gov.uk/Notice/{rid}", "datePublished": when(i % 300, tz), "format": "text/html"}],
        },
        "language": "en",
    }


def award_release(i, base):
    rid = f"{i:06d}-2026-A"
    net = rng.randrange(10_000, 5_000_000)
    s = i % 5000
    sup = {"name": f"Supplier {s} Ltd", "id": f"GB-COH-{s:08d}", "identifier": {"scheme": "GB-COH", "id": f"{s:08d}"},
           "address": {"locality": rng.choice(TOWNS), "postalCode": "BB11 2AA", "country": "GB"},
           "roles": ["supplier"], "details": {"scale": rng.choice(["sme", "large"]), "vcse": rng.random() < 0.1}}
    y0 = 2026
    return {
        "ocid": base["ocid"], "id": rid, "date": when(i % 300 + 20, "+01:00"), "tag": ["award", "contract"],
        "initiationType": "tender", "parties": [base["parties"][0], sup], "buyer": base["buyer"],
        "tender": {"id": base["tender"]["id"], "status": "complete"},
        "awards": [{"id": "1", "status": "active", "value": {"amountGross": round(net * 1.2, 2), "amount": net, "currency": "GBP"},
                    "suppliers": [{"id": sup["id"], "name": sup["name"]}], "contractPeriod": period(y0), "hasRenewal": True,
                    "items": [{"id": "1", "additionalClassifications": base["tender"]["items"][0]["additionalClassifications"]}],
                    "documents": [{"id": rid, "documentType": "awardNotice", "noticeType": "UK6",
                                   "url": f"https://www.find-tender.service.gov.uk/Notice/{rid}", "format": "text/html"}]}],
        "language": "en",
    }


with open(path, "w") as f:
    f.write('{"uri":"https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages","version":"1.1",'
            '"publishedDate":"2026-12-01T00:00:00Z","publisher":{"name":"Find a Tender"},"license":"https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",'
            '"releases":[\n')
    written = 0
    recent = []
    i = 0
    while written < n:
        r = rng.random()
        if r < 0.02 and recent:
            rel = rng.choice(recent)  # an exact repeat
        elif r < 0.40 and recent:
            rel = award_release(i, rng.choice(recent))
        else:
            rel = tender_release(i, "UK1" if rng.random() < 0.25 else "UK4")
            recent.append(rel)
            if len(recent) > 2000:
                recent.pop(0)
        i += 1
        f.write(("," if written else "") + json.dumps(rel, separators=(",", ":")) + "\n")
        written += 1
    f.write('],"links":{"next":"https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?cursor=x"}}\n')
