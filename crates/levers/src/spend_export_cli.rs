//! `levers spend export`: a body's payments for a year, cleaned, each with the supplier it was
//! resolved to, where that supplier is located and the exclusion rule that took it out (if any), as
//! CSV or Parquet, so a data team can take many councils' spend into DuckDB, DataFusion or Spark.

use std::io::Write as _;

use levers_parquet::{Column, Kind};
use levers_spend::analysis::{BodyData, PaymentRow, Payments, Report, UnitLocation};

/// The columns written, in order, with their Parquet types.
pub const COLUMNS: [(&str, Kind); 24] = [
    ("row_id", Kind::Int64),
    ("body", Kind::Text),
    ("paid_on", Kind::Date),
    ("amount_pence", Kind::Int64),
    ("supplier_name", Kind::Text),
    ("supplier_id", Kind::Text),
    ("company_number", Kind::Text),
    ("charity_number", Kind::Text),
    ("vat_number", Kind::Text),
    ("expense_type", Kind::Text),
    ("expense_area", Kind::Text),
    ("purpose", Kind::Text),
    ("creditor_type", Kind::Text),
    ("resolved_supplier", Kind::Text),
    ("resolved_supplier_id", Kind::Text),
    ("redacted", Kind::Bool),
    ("excluded_by", Kind::Text),
    ("located", Kind::Bool),
    ("postcode", Kind::Text),
    ("district", Kind::Text),
    ("ward", Kind::Text),
    ("imd_decile", Kind::Int32),
    ("local", Kind::Bool),
    ("wider", Kind::Bool),
];

/// Rows per Parquet row group.
const ROW_GROUP: usize = 131_072;

/// One payment as exported: text cells are "" when absent (a null in Parquet).
struct Out<'a> {
    r: &'a PaymentRow,
    body: &'a str,
    texts: [&'a str; 9],
    resolved: &'a str,
    linked: &'a str,
    rule: &'a str,
    loc: Option<&'a UnitLocation>,
}

/// Each payment in store order, with what the analysis made of it.
fn rows<'a>(
    bodies: &'a [String],
    analysed: &'a [BodyData],
    report: &'a Report,
    payments: &'a Payments,
) -> impl Iterator<Item = Out<'a>> + 'a {
    let s = |i: u32| payments.strings.get(i);
    payments.rows.iter().enumerate().map(move |(i, r)| {
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
        Out {
            r,
            body: bodies.get(usize::from(r.body)).map_or("", String::as_str),
            texts: [
                s(r.supplier_name),
                s(r.supplier_id),
                s(r.company_number),
                s(r.charity_number),
                s(r.vat_number),
                s(r.expense_type),
                s(r.expense_area),
                s(r.purpose),
                s(r.creditor_type),
            ],
            resolved: unit.map_or("", |u| u.name.as_str()),
            linked,
            rule,
            loc: unit.map(|u| &u.loc),
        }
    })
}

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
    let header: Vec<&str> = COLUMNS.iter().map(|(n, _)| *n).collect();
    w.write_all(header.join(",").as_bytes())?;
    w.write_all(b"\n")?;
    let mut line = Vec::with_capacity(512);
    for o in rows(bodies, analysed, report, payments) {
        line.clear();
        let r = o.r;
        let loc = o.loc;
        let date = r.date.map_or(String::new(), |d| {
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        });
        let [name, sid, co, ch, vat, et, ea, pu, ct] = o.texts;
        let cells: [String; 24] = [
            r.row_id.to_string(),
            o.body.to_string(),
            date,
            r.amount_pence.to_string(),
            name.to_string(),
            sid.to_string(),
            co.to_string(),
            ch.to_string(),
            vat.to_string(),
            et.to_string(),
            ea.to_string(),
            pu.to_string(),
            ct.to_string(),
            o.resolved.to_string(),
            o.linked.to_string(),
            r.redacted.to_string(),
            o.rule.to_string(),
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

/// Days since 1970-01-01 (2440588 is its Julian day).
fn epoch_days(d: time::Date) -> i32 {
    d.to_julian_day() - 2_440_588
}

/// The columns of one row group being gathered.
#[derive(Default)]
struct Group {
    ints: [Vec<Option<i64>>; 2],
    dates: Vec<Option<i32>>,
    texts: [Vec<Option<String>>; 16],
    bools: [Vec<Option<bool>>; 4],
    decile: Vec<Option<i32>>,
}

impl Group {
    fn push(&mut self, o: &Out<'_>) {
        let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let loc = o.loc;
        self.ints[0].push(Some(o.r.row_id));
        self.ints[1].push(Some(o.r.amount_pence));
        self.dates.push(o.r.date.map(epoch_days));
        let texts: [Option<String>; 16] = [
            text(o.body),
            text(o.texts[0]),
            text(o.texts[1]),
            text(o.texts[2]),
            text(o.texts[3]),
            text(o.texts[4]),
            text(o.texts[5]),
            text(o.texts[6]),
            text(o.texts[7]),
            text(o.texts[8]),
            text(o.resolved),
            text(o.linked),
            text(o.rule),
            loc.and_then(|l| l.postcode.clone()),
            loc.and_then(|l| l.lad).map(|c| c.to_string()),
            loc.and_then(|l| l.ward).map(|c| c.to_string()),
        ];
        for (col, v) in self.texts.iter_mut().zip(texts) {
            col.push(v);
        }
        let bools = [
            o.r.redacted,
            loc.is_some_and(|l| l.located),
            loc.is_some_and(|l| l.local),
            loc.is_some_and(|l| l.wider),
        ];
        for (col, v) in self.bools.iter_mut().zip(bools) {
            col.push(Some(v));
        }
        self.decile.push(loc.and_then(|l| l.decile).map(i32::from));
    }

    /// The columns in [`COLUMNS`] order.
    fn columns(self) -> Vec<Column> {
        let [row_id, amount] = self.ints;
        let [
            body,
            name,
            sid,
            co,
            ch,
            vat,
            et,
            ea,
            pu,
            ct,
            resolved,
            linked,
            rule,
            postcode,
            district,
            ward,
        ] = self.texts.map(Column::Text);
        let [redacted, located, local, wider] = self.bools.map(Column::Bool);
        vec![
            Column::Int64(row_id),
            body,
            Column::Date(self.dates),
            Column::Int64(amount),
            name,
            sid,
            co,
            ch,
            vat,
            et,
            ea,
            pu,
            ct,
            resolved,
            linked,
            redacted,
            rule,
            located,
            postcode,
            district,
            ward,
            Column::Int32(self.decile),
            local,
            wider,
        ]
    }
}

/// Writes the year's payments as Parquet (the same columns as the CSV; dates as DATE, flags as
/// BOOLEAN, absent text as null), row groups of 131,072 payments in store order.
pub fn write_parquet(
    path: &std::path::Path,
    bodies: &[String],
    analysed: &[BodyData],
    report: &Report,
    payments: &Payments,
) -> anyhow::Result<u64> {
    let file = std::fs::File::create(path)?;
    let mut w =
        levers_parquet::Writer::new(std::io::BufWriter::with_capacity(1 << 20, file), &COLUMNS)?;
    let mut group = Group::default();
    let mut n = 0;
    for o in rows(bodies, analysed, report, payments) {
        group.push(&o);
        n += 1;
        if n % ROW_GROUP == 0 {
            w.write_row_group(std::mem::take(&mut group).columns())?;
        }
    }
    if n == 0 || n % ROW_GROUP != 0 {
        w.write_row_group(group.columns())?;
    }
    w.finish()?;
    Ok(n as u64)
}
