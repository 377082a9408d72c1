//! The "meet the buyer" pack for one opportunity: a printable page (what the council will buy,
//! when, how, and the local suppliers and charities to invite, with their evidence) and the same
//! as a workbook through levers-xlsx.

use crate::page::{XLSX, attachment};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use levers_app::contracts::{OpportunityDetail, opportunity as detail};
use levers_present::procurement_report::url;

use super::common::{load, today};
use super::opportunity::{KeyQuery, facts};
use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::Chrome;
use crate::page::{chrome, render};
use crate::show::money;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "contracts/pack.html")]
pub struct PackPage {
    pub chrome: Chrome,
    pub d: OpportunityDetail,
    pub key_url: String,
    pub facts: Vec<(&'static str, String)>,
}

impl PackPage {
    pub fn money(&self, p: &i64) -> String {
        money(*p)
    }
}

async fn load_detail(state: &AppState, key: &str) -> Result<OpportunityDetail, AppError> {
    let (_, ev) = load(state).await?;
    detail(&state.store, key, &ev.candidates, &ev.area_name, today())
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn pack(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<KeyQuery>,
) -> Result<Response, AppError> {
    let d = load_detail(&state, &q.key).await?;
    let chrome = chrome(&state, &identity, "procurement", "Meet the buyer pack").await?;
    render(&PackPage {
        chrome,
        key_url: url(&q.key),
        facts: facts(&d),
        d,
    })
}

/// The pack as a workbook: the opportunity, the advice, the suppliers to invite.
pub fn pack_workbook(d: &OpportunityDetail) -> Vec<u8> {
    use levers_xlsx::{Cell, Workbook};
    let mut wb = Workbook::new();
    let s = wb.sheet("Opportunity");
    s.header(["What", "Detail"]);
    s.row([Cell::text("Title"), Cell::text(d.contract.title.clone())]);
    for (k, v) in facts(d) {
        s.row([Cell::text(k), Cell::text(v)]);
    }
    s.row([
        Cell::text("Description"),
        Cell::text(d.contract.description.clone()),
    ]);
    s.widths(&[30.0, 90.0]);
    let a = wb.sheet("How to buy it");
    a.header(["Point", "Advice", "Legal basis"]);
    for p in &d.advice.points {
        a.row([
            Cell::text(p.heading.clone()),
            Cell::text(p.text.clone()),
            Cell::text(p.basis.clone()),
        ]);
    }
    a.widths(&[30.0, 90.0, 60.0]);
    let m = wb.sheet("Suppliers to invite");
    m.header([
        "Supplier",
        "Where",
        "Size",
        "VCSE",
        "Spend with the council",
        "Evidence",
    ]);
    for x in &d.matches {
        m.row([
            Cell::text(x.name.clone()),
            Cell::text(if x.local {
                "Local"
            } else if x.wider {
                "Wider area"
            } else {
                "Added by an officer"
            }),
            Cell::text(x.size.clone().unwrap_or_else(|| "unknown".into())),
            Cell::text(if x.vcse { "Yes" } else { "No" }),
            Cell::pence(x.spend_pence),
            Cell::text(
                x.evidence
                    .iter()
                    .map(|e| e.text.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ]);
    }
    m.widths(&[36.0, 14.0, 10.0, 8.0, 18.0, 90.0]);
    let n = wb.sheet("About the matching");
    n.header(["Note"]);
    n.row([Cell::text(d.mapping_caveat)]);
    wb.to_bytes()
}

pub async fn pack_xlsx(
    State(state): State<AppState>,
    Query(q): Query<KeyQuery>,
) -> Result<Response, AppError> {
    let d = load_detail(&state, &q.key).await?;
    Ok(attachment(
        XLSX,
        "meet-the-buyer-pack.xlsx".into(),
        pack_workbook(&d),
    ))
}
