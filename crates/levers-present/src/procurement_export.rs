//! The procurement analysis as data to take away: CSV tables and an XLSX workbook of every figure,
//! with cells a spreadsheet would read as formulas guarded.

use levers_spend::analysis::Report;
use std::fmt::Write as _;

fn csv_field(s: &str) -> String {
    // Cells that a spreadsheet would read as a formula are prefixed with an apostrophe.
    levers_core::csv::cell(s)
}

/// CSV export: `suppliers` (every analysed supplier), `sectors` or `wards`.
pub fn report_csv(r: &Report, table: &str) -> String {
    let mut o = String::new();
    let pounds = |p: i64| format!("{}.{:02}", p / 100, (p % 100).abs()).replace("-0.", "-0.");
    match table {
        "sectors" => {
            o.push_str("sector,analysed_pounds,local_pounds,wider_pounds,leakage_pounds,leakage_share,suppliers,local_suppliers\r\n");
            for s in &r.all.by_sector {
                let _ = write!(
                    o,
                    "{},{},{},{},{},{:.4},{},{}\r\n",
                    csv_field(&s.sector),
                    pounds(s.analysed_pence),
                    pounds(s.local_pence),
                    pounds(s.wider_pence),
                    pounds(s.leakage_pence),
                    s.leakage_share,
                    s.suppliers,
                    s.local_suppliers
                );
            }
        }
        "wards" => {
            o.push_str("ward_code,ward_name,pounds,share,suppliers,lsoas,lsoas_decile_1,lsoas_decile_1_2\r\n");
            for w in &r.all.by_ward {
                let _ = write!(
                    o,
                    "{},{},{},{:.4},{},{},{},{}\r\n",
                    w.code,
                    csv_field(w.name.as_deref().unwrap_or("")),
                    pounds(w.pence),
                    w.share,
                    w.suppliers,
                    w.lsoas,
                    w.lsoas_decile_1,
                    w.lsoas_decile_1_2
                );
            }
        }
        _ => {
            o.push_str("supplier,body,pounds,in_top_n,linked,place,postcode,ward_code,imd_decile,location_source,size,vcse,public,individual_or_redacted\r\n");
            let top: std::collections::HashSet<u32> = r.top_n_units();
            let units: Vec<u32> = (0..r.units.len() as u32)
                .filter(|&u| r.units[u as usize].net_pence > 0)
                .collect();
            for u in levers_spend::analysis::largest(&r.units, units, usize::MAX) {
                let s = r.unit_row(u);
                let place = if s.local {
                    "local"
                } else if s.wider {
                    "wider"
                } else if s.located {
                    "elsewhere"
                } else {
                    "not located"
                };
                let _ = write!(
                    o,
                    "{},{},{},{},{},{},{},{},{},{},{:?},{},{},{}\r\n",
                    csv_field(&s.name),
                    csv_field(&s.body),
                    pounds(s.pence),
                    top.contains(&u),
                    s.linked,
                    place,
                    s.postcode.as_deref().unwrap_or(""),
                    s.ward.as_deref().unwrap_or(""),
                    s.decile.map_or(String::new(), |d| d.to_string()),
                    s.location_source.map_or("", |l| l.key()),
                    s.size,
                    s.vcse,
                    s.public,
                    s.individual_redacted
                );
            }
        }
    }
    o
}

/// XLSX export: summary, sectors, wards, suppliers, opportunities, exclusions and match rates.
pub fn report_xlsx(r: &Report) -> Vec<u8> {
    use levers_xlsx::{Cell, Workbook};
    let mut wb = Workbook::new();
    {
        let s = wb.sheet("Summary");
        s.row([Cell::bold(format!(
            "Spend analysis {} — {}",
            r.year,
            r.bodies.join(", ")
        ))]);
        s.row([Cell::text(format!(
            "Local area: {} ({})",
            r.local.name,
            r.local
                .lads
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))]);
        s.row([Cell::text(format!(
            "Wider area: {} ({})",
            r.wider.name,
            r.wider
                .lads
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))]);
        s.header(["Measure", "All suppliers", "", "Top N", ""]);
        #[allow(clippy::type_complexity)]
        let rows: [(&str, fn(&levers_spend::analysis::Scope) -> (i64, f64)); 10] = [
            ("Analysed spend", |c| (c.spend.analysed_pence, 1.0)),
            ("Local", |c| (c.pounds.local_pence, c.shares.local)),
            ("Wider area", |c| (c.pounds.wider_pence, c.shares.wider)),
            ("Leakage", |c| (c.pounds.leakage_pence, c.shares.leakage)),
            ("Most deprived 10%", |c| {
                (c.pounds.deprived_decile_1_pence, c.shares.deprived_decile_1)
            }),
            ("Most deprived 20%", |c| {
                (
                    c.pounds.deprived_decile_1_2_pence,
                    c.shares.deprived_decile_1_2,
                )
            }),
            ("SME", |c| (c.pounds.sme_pence, c.shares.sme)),
            ("VCSE", |c| (c.pounds.vcse_pence, c.shares.vcse)),
            ("Public bodies", |c| {
                (c.pounds.public_pence, c.shares.public)
            }),
            ("Not located", |c| {
                (c.pounds.unlocated_pence, c.shares.unknown_location)
            }),
        ];
        for (label, f) in rows {
            let (ap, ashare) = f(&r.all);
            let (tp, tshare) = f(&r.top_n);
            s.row([
                Cell::text(label),
                Cell::pence(ap),
                Cell::percent(ashare),
                Cell::pence(tp),
                Cell::percent(tshare),
            ]);
        }
        s.row([
            Cell::text("Total spend"),
            Cell::pence(r.all.spend.total_pence),
        ]);
        s.row([
            Cell::text("Excluded"),
            Cell::pence(r.all.spend.excluded_pence),
        ]);
        s.row([Cell::text(
            "Contains public sector information licensed under the Open Government Licence v3.0.",
        )]);
        s.widths(&[40.0, 16.0, 10.0, 16.0, 10.0]);
    }
    {
        let s = wb.sheet("Sectors");
        s.header([
            "Sector",
            "Analysed",
            "Local",
            "Wider area",
            "Leakage",
            "Leakage share",
            "Suppliers",
            "Local suppliers",
        ]);
        for x in &r.all.by_sector {
            s.row([
                Cell::text(&x.sector),
                Cell::pence(x.analysed_pence),
                Cell::pence(x.local_pence),
                Cell::pence(x.wider_pence),
                Cell::pence(x.leakage_pence),
                Cell::percent(x.leakage_share),
                Cell::number(x.suppliers as f64),
                Cell::number(x.local_suppliers as f64),
            ]);
        }
    }
    {
        let s = wb.sheet("Wards");
        s.header([
            "Ward code",
            "Ward",
            "Spend",
            "Share",
            "Suppliers",
            "Neighbourhoods",
            "In decile 1",
            "In deciles 1-2",
        ]);
        for w in &r.all.by_ward {
            s.row([
                Cell::text(w.code.as_str()),
                Cell::text(w.name.clone().unwrap_or_default()),
                Cell::pence(w.pence),
                Cell::percent(w.share),
                Cell::number(w.suppliers as f64),
                Cell::number(f64::from(w.lsoas)),
                Cell::number(f64::from(w.lsoas_decile_1)),
                Cell::number(f64::from(w.lsoas_decile_1_2)),
            ]);
        }
    }
    {
        let s = wb.sheet("Top suppliers");
        s.header([
            "Supplier",
            "Body",
            "Spend",
            "Place",
            "Postcode",
            "IMD decile",
            "Location from",
        ]);
        for x in &r.top_n.top_suppliers {
            let place = if x.local {
                "Local"
            } else if x.wider {
                "Wider area"
            } else if x.located {
                "Elsewhere"
            } else {
                "Not located"
            };
            s.row([
                Cell::text(&x.name),
                Cell::text(&x.body),
                Cell::pence(x.pence),
                Cell::text(place),
                Cell::text(x.postcode.clone().unwrap_or_default()),
                Cell::text(x.decile.map_or(String::new(), |d| d.to_string())),
                Cell::text(x.location_source.map_or("", |l| l.label())),
            ]);
        }
    }
    {
        let s = wb.sheet("Opportunities");
        s.header([
            "Sector",
            "Analysed",
            "Leakage",
            "Leakage share",
            "Local suppliers of the sector",
        ]);
        for o in &r.all.opportunities {
            s.row([
                Cell::text(&o.sector),
                Cell::pence(o.analysed_pence),
                Cell::pence(o.leakage_pence),
                Cell::percent(o.leakage_share),
                Cell::text(
                    o.local_suppliers
                        .iter()
                        .map(|l| l.name.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            ]);
        }
    }
    {
        let s = wb.sheet("Exclusions");
        s.header(["Rule", "Payments", "Excluded"]);
        for e in &r.exclusions {
            s.row([
                Cell::text(&e.label),
                Cell::number(e.payments as f64),
                Cell::pence(e.pence),
            ]);
        }
    }
    {
        let s = wb.sheet("Matching");
        s.header(["How the supplier was found", "Names", "Payments", "Spend"]);
        for m in &r.match_rates {
            s.row([
                Cell::text(&m.label),
                Cell::number(m.names as f64),
                Cell::number(m.payments as f64),
                Cell::pence(m.pence),
            ]);
        }
    }
    wb.to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_become_formulas() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-12.50"), "-12.50");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }
}
