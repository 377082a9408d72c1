"""DuckDB doing what `levers spend import` + `levers spend analyse` do for the headline figures: read
the transparency file (spend.csv), the supplier file and the postcode lookup into a database file,
then compute the same shares in SQL as pandas_analyse.py does (see it for the rules). Prints JSON
with the seconds spent importing and analysing.

Usage: duckdb_import.py DIR DBFILE
"""
import json, os, sys, time
import duckdb

d, db = sys.argv[1], sys.argv[2]
for f in (db, db + ".wal"):
    if os.path.exists(f):
        os.remove(f)
t0 = time.perf_counter()
con = duckdb.connect(db)
con.execute(f"""
CREATE TABLE payments AS SELECT
    strptime("Date", '%d/%m/%Y')::DATE AS paid_on, "Transaction Number" AS transaction_number,
    coalesce("Supplier ID", '') AS supplier_id, "Supplier Name" AS supplier_name,
    CAST(round(CAST("Amount" AS DECIMAL(18, 2)) * 100) AS BIGINT) AS amount_pence, "Expense Type" AS expense_type
FROM read_csv('{d}/spend.csv', header = true, all_varchar = true);
CREATE TABLE suppliers AS SELECT supplier_id, name, coalesce(postcode, '') AS postcode, coalesce(type, '') AS type
    FROM read_csv('{d}/suppliers.csv', header = true, all_varchar = true);
CREATE TABLE postcodes AS SELECT * FROM read_csv('{d}/postcodes.csv', header = true,
    columns = {{'postcode': 'VARCHAR', 'lad': 'VARCHAR', 'ward': 'VARCHAR', 'lsoa': 'VARCHAR', 'decile': 'BIGINT'}});
CHECKPOINT;
""")
imported = time.perf_counter() - t0
t1 = time.perf_counter()
con.execute("""
CREATE OR REPLACE TEMP TABLE a AS
WITH by_name AS (SELECT upper(name) AS uname, any_value(supplier_id) AS supplier_id FROM suppliers GROUP BY 1),
info AS (SELECT s.supplier_id, s.type, p.lad, p.decile FROM suppliers s LEFT JOIN postcodes p ON p.postcode = s.postcode),
tx AS (
    SELECT t.amount_pence, t.expense_type,
           CASE WHEN t.supplier_id <> '' THEN t.supplier_id ELSE n.supplier_id END AS sid
    FROM payments t LEFT JOIN by_name n ON t.supplier_id = '' AND n.uname = upper(t.supplier_name)
),
flagged AS (
    SELECT tx.*, (tx.expense_type IN ('Pension contributions', 'Levies', 'Tax payments') OR coalesce(i.type, '') = 'Public body') AS excluded
    FROM tx LEFT JOIN info i ON i.supplier_id = tx.sid
),
net AS (SELECT sid, sum(amount_pence) AS net FROM flagged WHERE NOT excluded GROUP BY sid HAVING sum(amount_pence) > 0)
SELECT net.sid, net.net, i.lad, i.decile, i.type FROM net LEFT JOIN info i ON i.supplier_id = net.sid
""")
q = lambda sql: con.execute(sql).fetchone()
rows, total = q("SELECT count(*), sum(amount_pence) FROM payments")
excluded = q("""SELECT coalesce(sum(t.amount_pence), 0) FROM payments t
    LEFT JOIN (SELECT upper(name) AS uname, any_value(supplier_id) AS supplier_id FROM suppliers GROUP BY 1) n ON t.supplier_id = '' AND n.uname = upper(t.supplier_name)
    LEFT JOIN suppliers s ON s.supplier_id = CASE WHEN t.supplier_id <> '' THEN t.supplier_id ELSE n.supplier_id END
    WHERE t.expense_type IN ('Pension contributions', 'Levies', 'Tax payments') OR coalesce(s.type, '') = 'Public body'""")[0]
analysed = q("SELECT sum(net) FROM a")[0]
share = lambda cond: float(q(f"SELECT coalesce(sum(net), 0) FROM a WHERE {cond}")[0]) / analysed
top_net, top_local = q("""SELECT sum(net), coalesce(sum(net) FILTER (WHERE lad = 'X07000001'), 0)
    FROM (SELECT * FROM a ORDER BY net DESC LIMIT 300)""")
out = {
    "rows": int(rows), "total_pence": int(total), "excluded_pence": int(excluded), "analysed_pence": int(analysed),
    "local": share("lad = 'X07000001'"), "wider": share("lad IN ('X07000001', 'X07000002', 'X07000003')"),
    "deprived_decile_1": share("decile = 1"), "deprived_decile_1_2": share("decile <= 2"),
    "sme": share("type = 'SME'"), "vcse": share("type = 'VCSE'"), "unknown_location": share("lad IS NULL"),
    "top300_analysed_pence": int(top_net), "top300_local": float(top_local) / float(top_net),
    "import_seconds": imported, "analyse_seconds": time.perf_counter() - t1,
}
con.close()
print(json.dumps(out))
