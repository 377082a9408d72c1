//! `levers spend export`: a body's payments for a year, cleaned, each with the supplier it was
//! resolved to, where that supplier is located and the exclusion rule that took it out (if any), as
//! CSV, so a data team can take many councils' spend into DuckDB, DataFusion or Spark.

use std::io::Write as _;

use levers_spend::analysis::{BodyData, Payments, Report};

/// The columns written, in order.
pub const COLUMNS: [&str; 24] = [
    "row_id",
    "body",
    "paid_on",
    "amount_pence",
    "supplier_name",
    "supplier_id",
    "company_number",
    "charity_number",
    "vat_number",
    "expense_type",
    "expense_area",
    "purpose",
    "creditor_type",
    "resolved_supplier",
    "resolved_supplier_id",
    "redacted",
    "excluded_by",
    "located",
    "postcode",
    "district",
    "ward",
    "imd_decile",
    "local",
    "wider",
];

fn field(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Writes the year's payments as CSV, one row per payment in store order.
pub fn write_csv(
    path: &std::path::Path,
    bodies: &[String],
    analysed: &[BodyData],
    report: &Report,
    payments: &Payments,
) -> anyhow::Result<u64> {
    let file = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    w.write_all(COLUMNS.join(",").as_bytes())?;
    w.write_all(b"\n")?;
    let mut line = Vec::with_capacity(512);
    let s = |i: u32| payments.strings.get(i);
    for (i, r) in payments.rows.iter().enumerate() {
        line.clear();
        let unit = report
            .row_unit
            .get(i)
            .and_then(|&u| report.units.get(u as usize));
        let rule = report
            .row_rule
            .get(i)
            .and_then(|&k| report.exclusions.get(usize::from(k)))
            .map_or("", |e| e.key.as_str());
        let linked = unit
            .and_then(|u| {
                let b = analysed.get(usize::from(u.body))?;
                b.suppliers.get(u.supplier? as usize)
            })
            .and_then(|s| s.supplier_id.as_deref())
            .unwrap_or("");
        let loc = unit.map(|u| &u.loc);
        let date = r.date.map_or(String::new(), |d| {
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        });
        let cells: [String; 24] = [
            r.row_id.to_string(),
            bodies.get(usize::from(r.body)).cloned().unwrap_or_default(),
            date,
            r.amount_pence.to_string(),
            s(r.supplier_name).to_string(),
            s(r.supplier_id).to_string(),
            s(r.company_number).to_string(),
            s(r.charity_number).to_string(),
            s(r.vat_number).to_string(),
            s(r.expense_type).to_string(),
            s(r.expense_area).to_string(),
            s(r.purpose).to_string(),
            s(r.creditor_type).to_string(),
            unit.map_or(String::new(), |u| u.name.clone()),
            linked.to_string(),
            r.redacted.to_string(),
            rule.to_string(),
            loc.is_some_and(|l| l.located).to_string(),
            loc.and_then(|l| l.postcode.clone()).unwrap_or_default(),
            loc.and_then(|l| l.lad)
                .map_or(String::new(), |c| c.to_string()),
            loc.and_then(|l| l.ward)
                .map_or(String::new(), |c| c.to_string()),
            loc.and_then(|l| l.decile)
                .map_or(String::new(), |d| d.to_string()),
            loc.is_some_and(|l| l.local).to_string(),
            loc.is_some_and(|l| l.wider).to_string(),
        ];
        for (k, c) in cells.iter().enumerate() {
            if k > 0 {
                line.push(b',');
            }
            field(&mut line, c);
        }
        line.push(b'\n');
        w.write_all(&line)?;
    }
    w.flush()?;
    Ok(payments.rows.len() as u64)
}
