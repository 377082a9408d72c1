//! The procurement report as people read it: the figures, charts and tables the dashboard and the
//! standalone HTML report share ([`ReportView`]), and the standalone report itself (prints well on A4).

use crate::charts::hbars;
use crate::show::{money, money_round, pct, pence_f64_round as pounds_short};
use askama::Template;
use levers_core::AreaCode;
use levers_geo::GeoIndex;
use levers_spend::analysis::{Report, Shares};
use std::collections::HashMap;

/// A row of a simple figures table.
pub struct FigureRow {
    pub label: String,
    pub value: String,
    pub pounds: String,
}

/// One figure of the summary at the top of the report: rounded, with the exact value beside it for
/// a screen reader and a click away in the headline table.
pub struct SummaryFigure {
    pub label: String,
    pub value: String,
    pub detail: String,
}

/// Everything the report body shows, computed once for the dashboard and the standalone report.
pub struct ReportView {
    pub title: String,
    pub subtitle: String,
    /// The few figures a reader needs first, rounded (`£71.8m`).
    pub summary: Vec<SummaryFigure>,
    /// Problems that change how the figures read (nothing located, say), shown at the top.
    pub warnings: Vec<String>,
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
    pub fn new(r: Report, geo: &GeoIndex, trend: &[(String, Shares)], query: String) -> ReportView {
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
                    format!(
                        "{name} ({:.0}% of its neighbourhoods in the most deprived 20%)",
                        dep * 100.0
                    ),
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
        let bodies = join_and(&r.bodies);
        let title = format!("Where {bodies}'s money goes, {}", r.year);
        let subtitle = format!(
            "Community wealth building spend analysis of {bodies}'s payments: local area {} ({}), wider area {} ({}).",
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
        let summary = vec![
            SummaryFigure {
                label: "Influenceable spend analysed".into(),
                value: money_round(a.spend.analysed_pence),
                detail: format!(
                    "{} of {} in total",
                    money(a.spend.analysed_pence),
                    money(a.spend.total_pence)
                ),
            },
            SummaryFigure {
                label: format!("Spent in {}", r.local.name),
                value: pct(sh.local),
                detail: format!("{} ({})", money_round(p.local_pence), money(p.local_pence)),
            },
            SummaryFigure {
                label: format!("Leaks out of {}", r.wider.name),
                value: pct(sh.leakage),
                detail: format!(
                    "{} ({})",
                    money_round(p.leakage_pence),
                    money(p.leakage_pence)
                ),
            },
            SummaryFigure {
                label: "With suppliers in the most deprived 20% of neighbourhoods".into(),
                value: pct(sh.deprived_decile_1_2),
                detail: format!(
                    "{} ({})",
                    money_round(p.deprived_decile_1_2_pence),
                    money(p.deprived_decile_1_2_pence)
                ),
            },
            SummaryFigure {
                label: "With SMEs and the VCSE sector".into(),
                value: format!("{} and {}", pct(sh.sme), pct(sh.vcse)),
                detail: format!(
                    "{} and {}",
                    money_round(p.sme_pence),
                    money_round(p.vcse_pence)
                ),
            },
        ];
        let mut warnings = Vec::new();
        if a.spend.analysed_pence > 0 && sh.unknown_location >= 0.5 {
            warnings.push(format!(
                "{} of the analysed spend could not be located, so the local, wider-area and deprived-area shares understate what stays local. Import {}'s supplier records so suppliers can be placed, and check that the postcode geography is loaded.",
                pct(sh.unknown_location),
                bodies
            ));
        }
        if a.spend.analysed_pence == 0 {
            warnings.push(
                "No influenceable spend was found for this year: every payment was excluded by a rule or netted to nothing.".into(),
            );
        }
        ReportView {
            title,
            subtitle,
            summary,
            warnings,
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

    pub fn sector_is_proclass(&self) -> bool {
        self.r.settings.get("sector_basis").and_then(|v| v.as_str()) == Some("proclass")
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

/// Names as a list in a sentence: "A", "A and B", "A, B and C".
pub fn join_and(names: &[String]) -> String {
    match names {
        [] => "the chosen bodies".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
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
