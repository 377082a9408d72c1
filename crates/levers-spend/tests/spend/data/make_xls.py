#!/usr/bin/env python3
"""Writes june.xls, the XLS (BIFF8) fixture of tests/spend/xls.rs: a title row, a blank row, a header,
payments with real Excel dates and float amounts, a redacted supplier, a credit note and a total row.
Needs xlwt (`pip install xlwt`). Usage: make_xls.py OUT.xls"""
import datetime
import sys

import xlwt

wb = xlwt.Workbook()
notes = wb.add_sheet("Notes")
notes.write(0, 0, "Published under the Open Government Licence v3.0")
ws = wb.add_sheet("June 2024")
date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
ws.write(0, 0, "Spending over \u00a3500 - June 2024")
for c, h in enumerate(["Supplier Name", "Supplier ID", "Payment Date", "Net Amount (\u00a3)", "Expense Type"]):
    ws.write(2, c, h)
rows = [
    ("ACME LTD", 265062, datetime.date(2024, 6, 3), 1234.56, "Repairs"),
    ("REDACTED UNDER DP ACT", 1, datetime.date(2024, 6, 4), 0.1 + 0.2, "Care"),
    ("CAF\u00c9 NERO", 77, datetime.date(2024, 6, 5), -99.5, "Refund"),
    ("B LTD", 88, "VARIOUS", 500, "Care"),
]
for r, (name, sid, date, amount, kind) in enumerate(rows, start=3):
    ws.write(r, 0, name)
    ws.write(r, 1, sid)
    if isinstance(date, datetime.date):
        ws.write(r, 2, date, date_style)
    else:
        ws.write(r, 2, date)
    ws.write(r, 3, amount)
    ws.write(r, 4, kind)
ws.write(7, 0, "Total")
ws.write(7, 3, 1635.36)
wb.save(sys.argv[1])
