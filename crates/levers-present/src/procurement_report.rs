//! The procurement report as people take it away: the figures, charts and tables the dashboard and
//! the standalone HTML report share ([`ReportView`]), the standalone report itself (prints well on
//! A4), and the CSV and XLSX exports.

use std::collections::HashMap;
use std::fmt::Write as _;

use askama::Template;
use levers_core::AreaCode;
use levers_geo::GeoIndex;
use levers_spend::analysis::{Report, Shares};

use crate::charts::esc;

// ---------------------------------------------------------------------------------------------
// Presentation shared by the dashboard, the standalone report and the exports.

use crate::show::pence_f64_whole as pounds_short;
pub use crate::show::{money, pct};

/// A horizontal bar chart with its labels and values written on it; the page shows the same figures
/// in a table beside it.
pub fn hbars(id: &str, title: &str, rows: &[(String, f64)], fmt: &dyn Fn(f64) -> String) -> String {
    let w = 640.0_f64;
    let label_w = 230.0;
    let value_w = 110.0;
    let bar_h = 22.0;
    let gap = 8.0;
    let top = 8.0;
    let h = top * 2.0 + rows.len().max(1) as f64 * (bar_h + gap);
    let max = rows
        .iter()
        .map(|r| r.1)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let plot = w - label_w - value_w - 10.0;
    let desc: Vec<String> = rows
        .iter()
        .map(|(l, v)| format!("{l}: {}", fmt(*v)))
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="lv-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = top + i as f64 * (bar_h + gap);
        let bw = (plot * (v.max(0.0) / max)).max(if *v > 0.0 { 1.0 } else { 0.0 });
        let short: String = if label.chars().count() > 32 {
            format!("{}…", label.chars().take(31).collect::<String>())
        } else {
            label.clone()
        };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="13" fill="#0b0c0c">{}</text><rect x="{label_w}" y="{y:.1}" width="{bw:.1}" height="{bar_h}" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">{}</text>"##,
            label_w - 8.0,
            y + bar_h * 0.7,
            esc(&short),
            label_w + bw + 6.0,
            y + bar_h * 0.7,
            esc(&fmt(*v))
        );
    }
    s.push_str("</svg>");
    s
}

/// A row of a simple figures table.
pub struct FigureRow {
    pub label: String,
    pub value: String,
    pub pounds: String,
}

/// Everything the report body shows, computed once for the dashboard and the standalone report.
pub struct ReportView {
    pub title: String,
    pub subtitle: String,
    pub r: Report,
    pub headline: Vec<FigureRow>,
    pub shares_chart: String,
    pub shares_rows: Vec<FigureRow>,
    pub top_chart: String,
    pub sector_chart: String,
    pub ward_chart: String,
    pub trend_chart: Option<String>,
    pub trend_rows: Vec<(String, String, String, String)>,
    pub ward_names: HashMap<String, String>,
    /// Query string of the current filters (for links).
    pub query: String,
    pub generated: String,
}

impl ReportView {
    pub fn new(
        r: Report,
        geo: &GeoIndex,
        trend: &[(String, Shares)],
        query: String,
        council: &str,
    ) -> ReportView {
        let a = &r.all;
        let sh = a.shares;
        let p = a.pounds;
        let headline = vec![
            FigureRow {
                label: "Total spend in the year".into(),
                value: String::new(),
                pounds: money(a.spend.total_pence),
            },
            FigureRow {
                label: "Excluded (not influenceable)".into(),
                value: String::new(),
                pounds: money(a.spend.excluded_pence),
            },
            FigureRow {
                label: "Analysed (influenceable) spend".into(),
                value: String::new(),
                pounds: money(a.spend.analysed_pence),
            },
            FigureRow {
                label: format!("Spent in {}", r.local.name),
                value: pct(sh.local),
                pounds: money(p.local_pence),
            },
            FigureRow {
                label: format!("Spent in {} (including {})", r.wider.name, r.local.name),
                value: pct(sh.wider),
                pounds: money(p.wider_pence),
            },
            FigureRow {
                label: format!("Leaks out of {}", r.wider.name),
                value: pct(sh.leakage),
                pounds: money(p.leakage_pence),
            },
            FigureRow {
                label: "With suppliers in the most deprived 10% of neighbourhoods".into(),
                value: pct(sh.deprived_decile_1),
                pounds: money(p.deprived_decile_1_pence),
            },
            FigureRow {
                label: "With suppliers in the most deprived 20%".into(),
                value: pct(sh.deprived_decile_1_2),
                pounds: money(p.deprived_decile_1_2_pence),
            },
            FigureRow {
                label: "With SMEs".into(),
                value: pct(sh.sme),
                pounds: money(p.sme_pence),
            },
            FigureRow {
                label: "With the VCSE sector".into(),
                value: pct(sh.vcse),
                pounds: money(p.vcse_pence),
            },
            FigureRow {
                label: "Supplier could not be located".into(),
                value: pct(sh.unknown_location),
                pounds: money(p.unlocated_pence),
            },
        ];
        let shares_rows: Vec<FigureRow> = sh
            .labelled()
            .into_iter()
            .map(|(_, l, v)| FigureRow {
                label: l.to_string(),
                value: pct(v),
                pounds: String::new(),
            })
            .collect();
        let share_pts: Vec<(String, f64)> = sh
            .labelled()
            .into_iter()
            .map(|(_, l, v)| (l.to_string(), v))
            .collect();
        let shares_chart = hbars(
            "chart-shares",
            "Shares of analysed spend",
            &share_pts,
            &|v| pct(v),
        );
        let top: Vec<(String, f64)> = a
            .top_suppliers
            .iter()
            .take(10)
            .map(|s| (s.name.clone(), s.pence as f64))
            .collect();
        let top_chart = hbars(
            "chart-top",
            "The ten largest suppliers by analysed spend",
            &top,
            &pounds_short,
        );
        let mut leaks: Vec<(String, f64)> = a
            .by_sector
            .iter()
            .filter(|s| s.leakage_pence > 0)
            .map(|s| (s.sector.clone(), s.leakage_pence as f64))
            .collect();
        leaks.sort_by(|x, y| y.1.total_cmp(&x.1));
        leaks.truncate(10);
        let sector_chart = hbars(
            "chart-leakage",
            "Leakage by sector (the ten largest)",
            &leaks,
            &pounds_short,
        );
        let mut ward_names = HashMap::new();
        let wards: Vec<(String, f64)> = a
            .by_ward
            .iter()
            .map(|w| {
                let name = w
                    .name
                    .clone()
                    .or_else(|| geo.name(&w.code).map(str::to_string))
                    .unwrap_or_else(|| w.code.to_string());
                ward_names.insert(w.code.to_string(), name.clone());
                let dep = if w.lsoas > 0 {
                    f64::from(w.lsoas_decile_1_2) / f64::from(w.lsoas)
                } else {
                    0.0
                };
                (
                    format!("{name} ({:.0}% deprived)", dep * 100.0),
                    w.pence as f64,
                )
            })
            .collect();
        let ward_chart = hbars(
            "chart-wards",
            "Spend with suppliers in each ward, most deprived wards first",
            &wards,
            &pounds_short,
        );
        let trend_chart = (trend.len() > 1).then(|| {
            let pts: Vec<(String, f64)> = trend
                .iter()
                .map(|(y, s)| (format!("{y}: {}", r.local.name), s.local))
                .collect();
            hbars(
                "chart-trend",
                "Share of analysed spend in the local area, year by year",
                &pts,
                &|v| pct(v),
            )
        });
        let trend_rows = trend
            .iter()
            .map(|(y, s)| {
                (
                    y.clone(),
                    pct(s.local),
                    pct(s.wider),
                    pct(s.deprived_decile_1_2),
                )
            })
            .collect();
        let title = format!("Where {}'s money goes, {}", r.bodies.join(", "), r.year);
        let subtitle = format!(
            "Community wealth building spend analysis for {}: local area {} ({}), wider area {} ({}).",
            if council.is_empty() {
                "the council".to_string()
            } else {
                council.to_string()
            },
            r.local.name,
            r.local
                .lads
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            r.wider.name,
            r.wider
                .lads
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let generated = crate::show::when(&time::OffsetDateTime::now_utc().unix_timestamp());
        ReportView {
            title,
            subtitle,
            r,
            headline,
            shares_chart,
            shares_rows,
            top_chart,
            sector_chart,
            ward_chart,
            trend_chart,
            trend_rows,
            ward_names,
            query,
            generated,
        }
    }

    pub fn money(&self, p: &i64) -> String {
        money(*p)
    }

    pub fn pct(&self, f: &f64) -> String {
        pct(*f)
    }

    pub fn points(&self, f: &f64) -> String {
        format!("{:+.1}", f)
    }

    pub fn signed_money(&self, p: &i64) -> String {
        if *p > 0 {
            format!("+{}", money(*p))
        } else {
            money(*p)
        }
    }

    pub fn ward_name(&self, code: &AreaCode) -> String {
        self.ward_names
            .get(code.as_str())
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    pub fn size(&self, s: &levers_spend::analysis::SupplierRow) -> &'static str {
        if s.individual_redacted {
            return "Individual or redacted";
        }
        match s.size {
            levers_spend::classify::SizeClass::Sme => "SME",
            levers_spend::classify::SizeClass::Large => "Large",
            levers_spend::classify::SizeClass::Unknown => "Unknown",
        }
    }

    pub fn place(&self, s: &levers_spend::analysis::SupplierRow) -> &'static str {
        if s.local {
            "Local"
        } else if s.wider {
            "Wider area"
        } else if s.located {
            "Elsewhere"
        } else {
            "Not located"
        }
    }

    pub fn source(&self, s: &levers_spend::analysis::SupplierRow) -> &'static str {
        s.location_source.map_or("–", |l| l.label())
    }

    pub fn sector_link(&self, sector: &str) -> String {
        format!(
            "/procurement/analysis/sector?{}&sector={}",
            self.query,
            url(sector)
        )
    }

    pub fn sector_is_expense(&self) -> bool {
        self.r.settings.get("sector_basis").and_then(|v| v.as_str()) == Some("expense_type")
    }

    pub fn opportunity_share(&self) -> String {
        pct(self
            .r
            .settings
            .get("opportunity_share")
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.5))
    }

    pub fn imd_label(&self) -> String {
        self.r
            .settings
            .get("imd")
            .and_then(|v| v.as_str())
            .unwrap_or("IMD")
            .to_string()
    }

    pub fn review_link(&self) -> String {
        format!(
            "/procurement/review?body={}&year={}",
            url(self.r.bodies.first().map_or("", String::as_str)),
            url(&self.r.year)
        )
    }

    pub fn multi_body(&self) -> bool {
        self.r.bodies.len() > 1
    }

    pub fn registered_office_share(&self) -> String {
        let p: i64 = self
            .r
            .all
            .location_sources
            .iter()
            .filter(|s| {
                matches!(
                    s.source,
                    Some(
                        levers_spend::analysis::LocationSource::CompaniesHouse
                            | levers_spend::analysis::LocationSource::CharityCommission
                    )
                )
            })
            .map(|s| s.pence)
            .sum();
        pct(if self.r.all.spend.analysed_pence > 0 {
            p as f64 / self.r.all.spend.analysed_pence as f64
        } else {
            0.0
        })
    }

    pub fn linked_share(&self) -> String {
        pct(self.r.all.shares.linked)
    }

    pub fn opp_names(&self, o: &levers_spend::analysis::Opportunity) -> String {
        o.local_suppliers
            .iter()
            .take(8)
            .map(|s| match &s.postcode {
                Some(p) => format!("{} ({p})", s.name),
                None => s.name.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
            + if o.local_suppliers.len() > 8 {
                " …"
            } else {
                ""
            }
    }
}

/// Percent-encodes a query value.
pub fn url(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The standalone HTML report (inline styles, prints well).
#[derive(Template)]
#[template(path = "procurement/report.html")]
pub struct StandaloneReport<'a> {
    pub v: &'a ReportView,
}

pub fn report_html(v: &ReportView) -> Result<String, askama::Error> {
    StandaloneReport { v }.render()
}

fn csv_field(s: &str) -> String {
    // Cells that a spreadsheet would read as a formula are prefixed with an apostrophe.
    let s = if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
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
