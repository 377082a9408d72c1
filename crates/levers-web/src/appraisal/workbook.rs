//! Appraisal results as a workbook (one appraisal, or two compared) and the response that sends it.

use crate::page::{XLSX, attachment};
use axum::response::Response;
use levers_appraisal::Results;

use super::common::{kind_label, rag_label};

/// The results as a workbook: summary, outcomes, agencies, years, sensitivity, evidence.
pub fn workbook(results: &[&Results]) -> Vec<u8> {
    use levers_xlsx::{Cell, Workbook};
    let mut book = Workbook::new();
    {
        let s = book.sheet("Summary");
        let mut head = vec!["Figure".to_string()];
        head.extend(results.iter().map(|r| r.name.clone()));
        s.header(head).widths(&[34.0, 24.0, 24.0]);
        type Row<'a> = (&'a str, &'a dyn Fn(&Results) -> Cell);
        let rows: [Row; 17] = [
            ("Price base", &|r| Cell::text(r.price_base.to_string())),
            ("Net outcomes", &|r| Cell::number(r.central.net_outcomes)),
            ("Cost per net outcome (£)", &|r| {
                r.central
                    .cost_per_net_outcome
                    .map_or(Cell::Empty, Cell::number)
            }),
            ("Public value (PV, £)", &|r| {
                Cell::number(r.central.public_value)
            }),
            ("Net public value (£)", &|r| {
                Cell::number(r.central.net_public_value)
            }),
            ("Public-value ROI", &|r| {
                r.central.public_value_roi.map_or(Cell::Empty, Cell::number)
            }),
            ("Costs (PV, £)", &|r| Cell::number(r.central.pv_costs)),
            ("Fiscal benefits (PV, £)", &|r| {
                Cell::number(r.central.pv_fiscal)
            }),
            ("of which transfers (£)", &|r| {
                Cell::number(r.central.pv_fiscal_transfers)
            }),
            ("Cashable fiscal benefits (£)", &|r| {
                Cell::number(r.central.pv_cashable)
            }),
            ("Economic benefits (PV, £)", &|r| {
                Cell::number(r.central.pv_economic)
            }),
            ("Social benefits (PV, £)", &|r| {
                Cell::number(r.central.pv_social)
            }),
            ("Net present budget impact (£)", &|r| {
                Cell::number(r.central.net_present_budget_impact)
            }),
            ("Financial ROI", &|r| {
                r.central.financial_roi.map_or(Cell::Empty, Cell::number)
            }),
            ("Cashable ROI", &|r| {
                r.central.cashable_roi.map_or(Cell::Empty, Cell::number)
            }),
            ("Payback year (0 = first)", &|r| {
                r.central
                    .payback_year
                    .map_or(Cell::text("not within the period"), |y| {
                        Cell::number(f64::from(y))
                    })
            }),
            ("Discounting", &|r| Cell::text(format!("{:?}", r.discount))),
        ];
        for (label, f) in rows {
            let mut row = vec![Cell::text(label)];
            row.extend(results.iter().map(|r| f(r)));
            s.row(row);
        }
    }
    for r in results {
        let tag = if results.len() > 1 {
            format!(" – {}", r.name)
        } else {
            String::new()
        };
        let s = book.sheet(&format!("Outcomes{tag}"));
        s.header([
            "Outcome",
            "Gross outcomes",
            "Net outcomes",
            "Cost per net outcome (£)",
            "PV fiscal (£)",
            "PV economic (£)",
            "PV social (£)",
        ]);
        for o in &r.central.outcomes {
            s.row([
                Cell::text(&o.name),
                Cell::number(o.gross_outcomes),
                Cell::number(o.net_outcomes),
                o.cost_per_net_outcome.map_or(Cell::Empty, Cell::number),
                Cell::number(o.pv_fiscal),
                Cell::number(o.pv_economic),
                Cell::number(o.pv_social),
            ]);
        }
        let s = book.sheet(&format!("Agencies{tag}"));
        s.header([
            "Agency",
            "Costs borne (PV, £)",
            "Fiscal benefits (PV, £)",
            "Net (£)",
            "Wrong pocket",
        ]);
        for a in &r.central.agencies {
            s.row([
                Cell::text(&a.agency),
                Cell::number(a.pv_costs),
                Cell::number(a.pv_benefits),
                Cell::number(a.net),
                Cell::text(if a.wrong_pocket { "yes" } else { "no" }),
            ]);
        }
        let s = book.sheet(&format!("Years{tag}"));
        s.header([
            "Year",
            "Financial year",
            "Discount factor",
            "Costs (£)",
            "Fiscal (£)",
            "Economic (£)",
            "Social (£)",
            "PV costs (£)",
            "PV fiscal (£)",
            "PV public value (£)",
        ]);
        for y in &r.central.years {
            s.row([
                Cell::number(f64::from(y.year)),
                Cell::text(y.financial_year.map(|f| f.to_string()).unwrap_or_default()),
                Cell::number(y.discount_factor),
                Cell::number(y.costs),
                Cell::number(y.fiscal),
                Cell::number(y.economic),
                Cell::number(y.social),
                Cell::number(y.pv_costs),
                Cell::number(y.pv_fiscal),
                Cell::number(y.pv_public_value),
            ]);
        }
        let s = book.sheet(&format!("Sensitivity{tag}"));
        s.header([
            "Scenario",
            "PV costs (£)",
            "PV fiscal (£)",
            "Net budget impact (£)",
            "Financial ROI",
            "Public value (£)",
            "Net public value (£)",
            "Public-value ROI",
            "Net outcomes",
        ]);
        for x in &r.sensitivity {
            s.row([
                Cell::text(&x.scenario),
                Cell::number(x.pv_costs),
                Cell::number(x.pv_fiscal),
                Cell::number(x.net_present_budget_impact),
                x.financial_roi.map_or(Cell::Empty, Cell::number),
                Cell::number(x.public_value),
                Cell::number(x.net_public_value),
                x.public_value_roi.map_or(Cell::Empty, Cell::number),
                Cell::number(x.net_outcomes),
            ]);
        }
        let s = book.sheet(&format!("Evidence{tag}"));
        s.header([
            "Outcome",
            "Value",
            "Code",
            "Kind",
            "Agency",
            "Unit",
            "Stated (£)",
            "Price year",
            "At price base (£)",
            "Transfer",
            "Cashable share",
            "Once",
            "Source",
            "RAG",
        ]);
        for e in &r.evidence {
            s.row([
                Cell::text(&e.outcome),
                Cell::text(&e.description),
                Cell::text(e.cost_code.clone().unwrap_or_default()),
                Cell::text(kind_label(e.kind)),
                Cell::text(e.agency.clone().unwrap_or_default()),
                Cell::text(&e.unit),
                Cell::number(e.stated),
                Cell::text(e.price_year.to_string()),
                Cell::number(e.amount),
                Cell::text(if e.transfer { "yes" } else { "no" }),
                Cell::percent(e.cashable),
                Cell::text(if e.once { "yes" } else { "no" }),
                Cell::text(&e.source),
                Cell::text(rag_label(e.rag)),
            ]);
        }
    }
    book.sheet("About").row([Cell::text(
        "Made with levers. Unit costs from the Unit Cost Database v1.4 are © New Economy / Greater Manchester Combined Authority, CC BY 4.0, unless your own library says otherwise.",
    )]);
    book.to_bytes()
}

/// A workbook as a download named after `name` (letters and digits kept, the rest as hyphens).
pub(super) fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    attachment(XLSX, format!("{}.xlsx", safe.trim_matches('-')), bytes)
}
