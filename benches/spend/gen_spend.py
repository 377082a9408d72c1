#!/usr/bin/env python3
"""Generates a 1,000,000-row council "spending over £500" file (~200 MB) with the real kinds of mess:
a title preamble with a cp1252 £, a padded header, quoted and padded amounts with thousands separators,
trailing minus credit notes, parentheses, a cp1252 £ before some amounts, mixed date formats, redacted
suppliers, supplier names with commas and cp1252 letters, trailing empty columns and a grand-total row.

Usage: gen_spend.py OUT.csv [ROWS]   (deterministic: the same ROWS give the same bytes)
"""
import random
import sys

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
AREAS = ["People Services", "Place Services", "Corporate Services", "Children's Services", "Adult Care & Health",
         "Highways, Infrastructure and Waste", "Public Health", "Capital Spending"]
TYPES = ["Care Spot - Private (3rd)", "Grants Paid", "Agency Supply Staff", "Works", "External Professional Fees",
         "Building Maintenance", "ICT Software Licenses", "Home To School Transport", "Residential Care (Adults)"]
CREDITOR = ["LTD", "INDV", "B", "EY", "FACT", "WGA", "YTH"]
PURPOSES = ["Payment for services rendered", "Provision of residential care", "Supply of materials order",
            "Maintenance works to property", "Consultancy support invoice", "Grant instalment agreement"]


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rnd = random.Random(20240601)
    suppliers = []
    for i in range(6000):
        name = f"SUPPLIER {i:04d} " + rnd.choice(["LTD", "LIMITED", "PLC", "& SONS", "CIC", "TRUST"])
        if i % 17 == 0:
            name = f"\"SMITH, JONES & PARTNERS {i}\""
        if i % 29 == 0:
            name = f"CAF\xc9 {i} LTD"
        suppliers.append(name)
    total = 0
    pad = "," * 5
    with open(out, "w", encoding="cp1252", newline="") as f:
        f.write("Devon-ish County Council,,,,,,,,,,,,,," + pad + "\r\n")
        f.write("Expenditure over \xa3500 - synthetic benchmark file,,,,,,,,,,,,,," + pad + "\r\n")
        f.write("Body,Name of  Body,Date,Transaction Number,Invoice Number, Amount ,Supplier Name,Supplier ID,"
                "VAT Reg no,Expense Area,Expense Type,Expense Code,Creditor Type,Purpose" + pad + "\r\n")
        for i in range(rows):
            pence = rnd.randint(50_000, 25_000_000) if rnd.random() < 0.97 else rnd.randint(25_000_000, 900_000_000)
            kind = rnd.random()
            negative = kind < 0.03
            if negative:
                pence = -pence
            total += pence
            a = abs(pence)
            plain = f"{a // 100}.{a % 100:02d}"
            grouped = f"{a // 100:,}.{a % 100:02d}"
            r = rnd.random()
            if negative:
                amount = rnd.choice([f"-{plain}", f"\"{grouped}-\"", f"({plain})", f"\" -{grouped} \""])
            elif r < 0.35:
                amount = plain
            elif r < 0.65:
                amount = f"\"{grouped}\""
            elif r < 0.85:
                amount = f"\" {grouped} \""
            else:
                amount = f"\xa3{plain}"
            day = rnd.randint(1, 28)
            month = rnd.randint(1, 12)
            d = rnd.random()
            if d < 0.55:
                date = f"{day:02d}/{month:02d}/2024"
            elif d < 0.8:
                date = f"2024-{month:02d}-{day:02d} 00:00:00"
            elif d < 0.93:
                date = f"{day:02d}-{MONTHS[month - 1]}-2024"
            else:
                date = f"{day}/{month}/24"
            sid = rnd.randrange(len(suppliers))
            supplier = "REDACTED UNDER DP ACT" if rnd.random() < 0.05 else suppliers[sid]
            vat = str(100_000_000 + sid * 7919) if sid % 3 else ""
            area = rnd.choice(AREAS)
            if "," in area:
                area = f"\"{area}\""
            f.write(f"18,Devon-ish County Council,{date},TXN{30000000 + i},INV{rnd.randint(1, 999999):06d},{amount},"
                    f"{supplier},{200000 + sid},{vat},{area},{rnd.choice(TYPES)},{5700 + rnd.randint(0, 40)},"
                    f"{rnd.choice(CREDITOR)},{rnd.choice(PURPOSES)} {rnd.randint(1000, 99999)}{pad}\r\n")
        a = abs(total)
        sign = "-" if total < 0 else ""
        f.write(f",,,,,\" {sign}{a // 100:,}.{a % 100:02d} \",,,,,,,,{pad}\r\n")
    print(f"{rows} rows, total pence {total}", file=sys.stderr)


if __name__ == "__main__":
    main()
