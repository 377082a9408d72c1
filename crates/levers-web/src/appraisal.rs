//! Appraisal pages: the list of appraisals, the results of one (outcomes first, charts with their
//! tables, who pays and who benefits, sensitivity, evidence), the builder (forms that choose unit
//! costs from the library by search), comparison of two, XLSX and TOML export, the unit cost library,
//! and pooled budgets.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use levers_appraisal::pooled::{Funds, PoolReport};
use levers_appraisal::{
    Appraisal, CostLine, Evidence, OutcomeLine, PerYear, Rag, Results, Schedule, UnitCost,
    ValueKind, ValueLine, pounds, read_unit_costs, read_unit_costs_xlsx, resolve, results,
    search_costs,
};
use levers_core::{FinancialYear, Money};
use levers_store::appraisal::StoredAppraisal;
use levers_store::{Role, StoreError, User};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CurrentUser, Identity, actor, require_officer};
use crate::charts::signed_hbar_chart;
use crate::error::AppError;
use crate::pages::{chrome, render, render_status};
use crate::templates::capitalise;
use crate::templates::{Chrome, FieldError, error_for};

const SECTION: &str = "community-budgets";
/// Largest unit cost table accepted by the upload form.
pub const LIBRARY_LIMIT_BYTES: usize = 10 * 1024 * 1024;

/// Whole pounds, for chart labels.
fn pounds0(x: f64) -> String {
    let p = pounds(x.round());
    p.strip_suffix(".00").map(str::to_owned).unwrap_or(p)
}

fn ratio(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), |r| format!("{r:.2}"))
}

fn count(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

fn kind_label(k: ValueKind) -> &'static str {
    match k {
        ValueKind::Fiscal => "Fiscal",
        ValueKind::Economic => "Economic",
        ValueKind::Social => "Social",
    }
}

fn rag_label(r: Option<Rag>) -> &'static str {
    match r {
        Some(Rag::Green) => "Green",
        Some(Rag::Amber) => "Amber",
        Some(Rag::Red) => "Red",
        Some(Rag::Unknown) => "Not graded",
        None => "Entered",
    }
}

/// The unit cost library and deflator table, read from the store once per request.
struct Library {
    costs: Vec<UnitCost>,
    deflators: levers_appraisal::Deflators,
}

impl Library {
    async fn load(state: &AppState) -> Result<Library, AppError> {
        Ok(Library {
            costs: state.store.unit_costs().await?,
            deflators: state.store.deflators().await?,
        })
    }

    fn cost(&self, code: &str) -> Option<&UnitCost> {
        self.costs
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
    }

    /// An appraisal computed against this library, or why it cannot be.
    fn compute(&self, model: &Appraisal) -> Result<Results, String> {
        let lookup = |code: &str| self.cost(code).cloned();
        let d = (!self.deflators.is_empty()).then_some(&self.deflators);
        resolve(model, &lookup, d)
            .map(|r| results(&r))
            .map_err(|e| e.to_string())
    }
}

/// One appraisal computed against the store's library (for pages that show one or two).
async fn compute(state: &AppState, model: &Appraisal) -> Result<Result<Results, String>, AppError> {
    Ok(Library::load(state).await?.compute(model))
}

async fn load(state: &AppState, id: i64) -> Result<StoredAppraisal, AppError> {
    state.store.appraisal(id).await?.ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------------------------------------
// The list

pub struct ListRow {
    pub id: i64,
    pub name: String,
    pub updated: String,
    pub result: Result<Results, String>,
}

#[derive(Template)]
#[template(path = "appraisal/list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub rows: Vec<ListRow>,
    pub can_change: bool,
    pub errors: Vec<FieldError>,
    pub name: String,
    pub price_base: String,
    pub library_costs: usize,
}

impl ListPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn pounds(&self, x: &f64) -> String {
        pounds(*x)
    }
    pub fn ratio(&self, x: &Option<f64>) -> String {
        ratio(*x)
    }
    pub fn count(&self, x: &f64) -> String {
        count(*x)
    }
    pub fn cpo(&self, x: &Option<f64>) -> String {
        x.map_or("n/a".into(), pounds)
    }
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    errors: Vec<FieldError>,
    name: String,
    price_base: String,
) -> Result<ListPage, AppError> {
    let library = Library::load(state).await?;
    let mut rows = Vec::new();
    for a in state.store.appraisals().await? {
        let result = library.compute(&a.model);
        rows.push(ListRow {
            id: a.id,
            name: a.model.name.clone(),
            updated: crate::templates::when(&a.updated_at),
            result,
        });
    }
    Ok(ListPage {
        chrome: chrome(state, identity, SECTION, "Appraisals").await?,
        rows,
        can_change: me.role.allows(Role::Officer),
        errors,
        name,
        price_base,
        library_costs: library.costs.len(),
    })
}

/// The price base offered for a new appraisal: the last year the deflator table covers.
async fn default_price_base(state: &AppState) -> Result<String, AppError> {
    Ok(state
        .store
        .deflators()
        .await?
        .years()
        .last()
        .map(|y| y.to_string())
        .unwrap_or_else(|| "2019/20".into()))
}

pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    let base = default_price_base(&state).await?;
    render(&list_page(&state, &identity, &me, Vec::new(), String::new(), base).await?)
}

#[derive(Deserialize)]
pub struct NewForm {
    name: String,
    price_base: String,
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    axum::Form(f): axum::Form<NewForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let mut errors = Vec::new();
    if f.name.trim().is_empty() {
        errors.push(FieldError::new("name", "Enter a name for the intervention"));
    }
    let base: Option<FinancialYear> = match f.price_base.trim().parse() {
        Ok(y) => Some(y),
        Err(e) => {
            errors.push(FieldError::new("price_base", format!("Price base: {e}")));
            None
        }
    };
    if let (true, Some(price_base)) = (errors.is_empty(), base) {
        let model = Appraisal {
            name: f.name.trim().to_owned(),
            description: String::new(),
            price_base,
            first_year: None,
            years: None,
            discount: Schedule::Standard,
            optimism_bias: None,
            costs: Vec::new(),
            outcomes: Vec::new(),
        };
        match state.store.save_appraisal(&actor(&me), None, &model).await {
            Ok(id) => {
                return Ok(
                    Redirect::to(&format!("/community-budgets/appraisals/{id}/edit"))
                        .into_response(),
                );
            }
            Err(StoreError::Conflict(m)) => errors.push(FieldError::new("name", capitalise(&m))),
            Err(e) => return Err(e.into()),
        }
    }
    let page = list_page(&state, &identity, &me, errors, f.name, f.price_base).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// ---------------------------------------------------------------------------------------------
// Results

#[derive(Template)]
#[template(path = "appraisal/results.html")]
pub struct ResultsPage {
    pub chrome: Chrome,
    pub id: i64,
    pub model: Appraisal,
    pub updated: String,
    pub updated_by: String,
    pub result: Result<Results, String>,
    pub can_change: bool,
    pub chart_value: String,
    pub chart_agencies: String,
    pub chart_sensitivity: String,
}

impl ResultsPage {
    pub fn pounds(&self, x: &f64) -> String {
        pounds(*x)
    }
    pub fn ratio(&self, x: &Option<f64>) -> String {
        ratio(*x)
    }
    pub fn count(&self, x: &f64) -> String {
        count(*x)
    }
    pub fn cpo(&self, x: &Option<f64>) -> String {
        x.map_or("n/a".into(), pounds)
    }
    pub fn kind(&self, e: &Evidence) -> &'static str {
        kind_label(e.kind)
    }
    pub fn rag(&self, e: &Evidence) -> &'static str {
        rag_label(e.rag)
    }
    pub fn fy(&self, y: &Option<FinancialYear>) -> String {
        y.map(|y| y.to_string()).unwrap_or_default()
    }
    pub fn payback(&self, r: &Results) -> String {
        match (r.central.payback_year, r.central.payback_financial_year) {
            (Some(y), Some(fy)) => format!("Year {y} ({fy})"),
            (Some(y), None) => format!("Year {y}"),
            _ => "Not within the appraisal period".into(),
        }
    }
}

/// The three charts of a result.
fn charts(r: &Results, prefix: &str) -> (String, String, String) {
    let c = &r.central;
    let value = signed_hbar_chart(
        &format!("{prefix}value"),
        "Present value of costs and of each kind of benefit",
        &[
            "Costs".into(),
            "Fiscal benefits (not transfers)".into(),
            "Transfers (not public value)".into(),
            "Economic benefits".into(),
            "Social benefits".into(),
            "Public value".into(),
        ],
        &[(
            "Present value",
            &[
                c.pv_costs,
                c.pv_fiscal - c.pv_fiscal_transfers,
                c.pv_fiscal_transfers,
                c.pv_economic,
                c.pv_social,
                c.public_value,
            ],
        )],
        &pounds0,
    );
    let labels: Vec<String> = c.agencies.iter().map(|a| a.agency.clone()).collect();
    let pays: Vec<f64> = c.agencies.iter().map(|a| a.pv_costs).collect();
    let gets: Vec<f64> = c.agencies.iter().map(|a| a.pv_benefits).collect();
    let agencies = signed_hbar_chart(
        &format!("{prefix}agencies"),
        "Who pays and who benefits: present value of costs borne and fiscal benefits received, by agency",
        &labels,
        &[("Costs borne", &pays), ("Benefits received", &gets)],
        &pounds0,
    );
    let scen: Vec<String> = r.sensitivity.iter().map(|s| s.scenario.clone()).collect();
    let npv: Vec<f64> = r.sensitivity.iter().map(|s| s.net_public_value).collect();
    let npbi: Vec<f64> = r
        .sensitivity
        .iter()
        .map(|s| s.net_present_budget_impact)
        .collect();
    let sensitivity = signed_hbar_chart(
        &format!("{prefix}sensitivity"),
        "Sensitivity: net public value and net budget impact under each assumption",
        &scen,
        &[("Net public value", &npv), ("Net budget impact", &npbi)],
        &pounds0,
    );
    (value, agencies, sensitivity)
}

pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load(&state, id).await?;
    let result = compute(&state, &a.model).await?;
    let (chart_value, chart_agencies, chart_sensitivity) = match &result {
        Ok(r) => charts(r, ""),
        Err(_) => Default::default(),
    };
    render(&ResultsPage {
        chrome: chrome(&state, &identity, SECTION, &a.model.name).await?,
        id,
        updated: crate::templates::when(&a.updated_at),
        updated_by: a.updated_by.clone(),
        model: a.model,
        result,
        can_change: me.role.allows(Role::Officer),
        chart_value,
        chart_agencies,
        chart_sensitivity,
    })
}

pub async fn download_toml(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load(&state, id).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/toml; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"appraisal-{id}.toml\""),
            ),
        ],
        a.model.to_toml(),
    )
        .into_response())
}

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

fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
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
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.xlsx\"", safe.trim_matches('-')),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn download_xlsx(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load(&state, id).await?;
    match compute(&state, &a.model).await? {
        Ok(r) => Ok(xlsx_response(
            &format!("appraisal {}", a.model.name),
            workbook(&[&r]),
        )),
        Err(_) => Ok(Redirect::to(&format!("/community-budgets/appraisals/{id}")).into_response()),
    }
}

// ---------------------------------------------------------------------------------------------
// Comparison

#[derive(Deserialize)]
pub struct CompareQuery {
    a: Option<i64>,
    b: Option<i64>,
    format: Option<String>,
}

/// One figure of two appraisals, side by side.
pub struct CompareRow {
    pub label: &'static str,
    pub a: String,
    pub b: String,
}

#[derive(Template)]
#[template(path = "appraisal/compare.html")]
pub struct ComparePage {
    pub chrome: Chrome,
    pub all: Vec<(i64, String)>,
    pub a: Option<(i64, String)>,
    pub b: Option<(i64, String)>,
    pub rows: Vec<CompareRow>,
    pub chart: String,
    pub problem: Option<String>,
}

pub async fn compare(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<CompareQuery>,
) -> Result<Response, AppError> {
    let all: Vec<(i64, String)> = state
        .store
        .appraisals()
        .await?
        .into_iter()
        .map(|a| (a.id, a.model.name))
        .collect();
    let mut page = ComparePage {
        chrome: chrome(&state, &identity, SECTION, "Compare appraisals").await?,
        all,
        a: None,
        b: None,
        rows: Vec::new(),
        chart: String::new(),
        problem: None,
    };
    let (Some(ia), Some(ib)) = (q.a, q.b) else {
        return render(&page);
    };
    let (a, b) = (load(&state, ia).await?, load(&state, ib).await?);
    let library = Library::load(&state).await?;
    let (ra, rb) = match (library.compute(&a.model), library.compute(&b.model)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => {
            page.problem = Some(e);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if q.format.as_deref() == Some("xlsx") {
        return Ok(xlsx_response(
            &format!("compare {} {}", a.model.name, b.model.name),
            workbook(&[&ra, &rb]),
        ));
    }
    let row = |label: &'static str, f: &dyn Fn(&Results) -> String| CompareRow {
        label,
        a: f(&ra),
        b: f(&rb),
    };
    page.rows = vec![
        row("Net outcomes", &|r| count(r.central.net_outcomes)),
        row("Cost per net outcome", &|r| {
            r.central.cost_per_net_outcome.map_or("n/a".into(), pounds)
        }),
        row("Public value (present value)", &|r| {
            pounds(r.central.public_value)
        }),
        row("Net public value", &|r| pounds(r.central.net_public_value)),
        row("Public-value return on investment", &|r| {
            ratio(r.central.public_value_roi)
        }),
        row("Costs (present value)", &|r| pounds(r.central.pv_costs)),
        row("Fiscal benefits (present value)", &|r| {
            pounds(r.central.pv_fiscal)
        }),
        row("Net present budget impact", &|r| {
            pounds(r.central.net_present_budget_impact)
        }),
        row("Financial return on investment", &|r| {
            ratio(r.central.financial_roi)
        }),
        row("Cashable return on investment", &|r| {
            ratio(r.central.cashable_roi)
        }),
        row("Payback year", &|r| {
            r.central
                .payback_year
                .map_or("Not within the period".into(), |y| format!("Year {y}"))
        }),
        row("Agencies in the wrong pocket", &|r| {
            let w: Vec<&str> = r
                .central
                .agencies
                .iter()
                .filter(|a| a.wrong_pocket)
                .map(|a| a.agency.as_str())
                .collect();
            if w.is_empty() {
                "None".into()
            } else {
                w.join(", ")
            }
        }),
        row("Price base", &|r| r.price_base.to_string()),
    ];
    let labels = vec![
        "Costs".to_string(),
        "Fiscal benefits".into(),
        "Public value".into(),
        "Net public value".into(),
    ];
    let va = [
        ra.central.pv_costs,
        ra.central.pv_fiscal,
        ra.central.public_value,
        ra.central.net_public_value,
    ];
    let vb = [
        rb.central.pv_costs,
        rb.central.pv_fiscal,
        rb.central.public_value,
        rb.central.net_public_value,
    ];
    page.chart = signed_hbar_chart(
        "compare",
        &format!(
            "{} and {} compared (present values)",
            a.model.name, b.model.name
        ),
        &labels,
        &[(a.model.name.as_str(), &va), (b.model.name.as_str(), &vb)],
        &pounds0,
    );
    if ra.price_base != rb.price_base {
        page.problem = Some(format!(
            "The two appraisals use different price bases ({} and {}): set both to the same price base before comparing money.",
            ra.price_base, rb.price_base
        ));
    }
    page.a = Some((ia, a.model.name));
    page.b = Some((ib, b.model.name));
    render(&page)
}

// ---------------------------------------------------------------------------------------------
// The builder

#[derive(Template)]
#[template(path = "appraisal/edit.html")]
pub struct EditPage {
    pub chrome: Chrome,
    pub id: i64,
    pub model: Appraisal,
    pub errors: Vec<FieldError>,
    /// What the person typed, to show again beside an error.
    pub entered: HashMap<String, String>,
    pub query: String,
    pub query_outcome: usize,
    pub hits: Vec<UnitCost>,
    pub library_costs: usize,
    /// The library's entries for the codes this appraisal uses.
    pub used: HashMap<String, UnitCost>,
    pub problem: Option<String>,
    pub notice: Option<String>,
}

impl EditPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    /// The value typed into `field`, else `default`.
    pub fn val(&self, field: &str, default: &str) -> String {
        self.entered
            .get(field)
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    }
    pub fn pounds(&self, x: &f64) -> String {
        pounds(*x)
    }
    pub fn fy(&self, y: &Option<FinancialYear>) -> String {
        y.map(|y| y.to_string()).unwrap_or_default()
    }
    pub fn cost_uplift(&self, c: &CostLine) -> String {
        match (c.optimism_bias, c.confidence) {
            (Some(ob), _) => format!("{:.0}% (entered)", ob * 100.0),
            (None, g) => {
                let g = g.unwrap_or(levers_appraisal::model::DEFAULT_GRADE);
                let b = self.model.table().cost(g).map_or(0.0, |b| b.central);
                format!("{:.0}% (grade {g})", b * 100.0)
            }
        }
    }
    pub fn people(&self, o: &OutcomeLine) -> String {
        let show = |p: &PerYear| match p {
            PerYear::Once(n) => format!("{} in year {}", count(*n), o.year),
            PerYear::ByYear(v) => v
                .iter()
                .enumerate()
                .map(|(y, n)| format!("{} in year {y}", count(*n)))
                .collect::<Vec<_>>()
                .join(", "),
        };
        match (&o.cohort, &o.count) {
            (Some(c), _) => format!(
                "Cohort {}; engagement {:.0}%, success {:.0}%",
                show(c),
                o.engagement * 100.0,
                o.success * 100.0
            ),
            (None, Some(n)) => format!("Outcomes: {}", show(n)),
            _ => String::new(),
        }
    }
    pub fn adjustments(&self, o: &OutcomeLine) -> String {
        let ob = match (o.optimism_bias, o.confidence) {
            (Some(x), _) => format!("optimism bias {:.0}% (entered)", x * 100.0),
            (None, g) => format!(
                "evidence grade {}",
                g.unwrap_or(levers_appraisal::model::DEFAULT_GRADE)
            ),
        };
        format!(
            "Deadweight {:.0}%, attribution {:.0}%, displacement {:.0}%, leakage {:.0}%, {ob}; benefits from year +{} for {} year(s), drop-off {:.0}% a year",
            o.deadweight * 100.0,
            o.attribution * 100.0,
            o.displacement * 100.0,
            o.leakage * 100.0,
            o.lag,
            o.duration,
            o.drop_off * 100.0
        )
    }
    pub fn value_text(&self, v: &ValueLine) -> String {
        let unit = v.cost_code.as_ref().and_then(|c| self.used.get(c));
        let what = match (&v.cost_code, &v.description, unit) {
            (Some(code), Some(d), _) => format!("{code} {d}"),
            (Some(code), None, Some(u)) => format!("{code} {}", u.description),
            (Some(code), None, None) => format!("{code} (not in the library)"),
            (None, d, _) => d.clone().unwrap_or_default(),
        };
        let amount = match (v.amount, v.price_year, unit.and_then(|u| u.value(v.kind))) {
            (Some(a), Some(y), _) => format!("{} at {y} prices", pounds(a)),
            (Some(a), None, _) => format!("{} at the price base", pounds(a)),
            (None, _, Some(l)) => format!(
                "{} at {} prices, from the library",
                pounds(l.amount),
                l.price_year
            ),
            (None, _, None) => "no figure".into(),
        };
        let mut extras = Vec::new();
        match (&v.agency, unit) {
            (Some(a), _) => extras.push(format!("to {a}")),
            (None, Some(u)) if v.kind == ValueKind::Fiscal => {
                extras.push(format!("to {}", u.agency))
            }
            _ => {}
        }
        if v.transfer {
            extras.push("a transfer".into());
        }
        if v.cashable > 0.0 {
            extras.push(format!("{:.0}% cashable", v.cashable * 100.0));
        }
        if v.once {
            extras.push("first year only".into());
        }
        let extras = if extras.is_empty() {
            String::new()
        } else {
            format!(" ({})", extras.join(", "))
        };
        format!("{} value: {what}, {amount}{extras}", kind_label(v.kind))
    }
    pub fn kinds_of(&self, c: &UnitCost) -> Vec<(&'static str, &'static str, String)> {
        let mut out = Vec::new();
        for (k, key) in [
            (ValueKind::Fiscal, "fiscal"),
            (ValueKind::Economic, "economic"),
            (ValueKind::Social, "social"),
        ] {
            if let Some(v) = c.value(k) {
                out.push((
                    key,
                    kind_label(k),
                    format!("{} ({})", pounds(v.amount), v.price_year),
                ));
            }
        }
        out
    }
    pub fn chosen_outcome(&self) -> Option<&OutcomeLine> {
        self.model.outcomes.get(self.query_outcome)
    }
    pub fn years_text(&self) -> String {
        self.model.years.map(|y| y.to_string()).unwrap_or_default()
    }
    pub fn is_standard(&self) -> bool {
        self.model.discount == Schedule::Standard
    }
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    q: Option<String>,
    outcome: Option<usize>,
    saved: Option<String>,
}

async fn edit_page(
    state: &AppState,
    identity: &Identity,
    a: StoredAppraisal,
    errors: Vec<FieldError>,
    entered: HashMap<String, String>,
    q: EditQuery,
) -> Result<EditPage, AppError> {
    let library = Library::load(state).await?;
    let query = q.q.unwrap_or_default();
    let hits = search_costs(&library.costs, &query, 15)
        .into_iter()
        .cloned()
        .collect();
    let problem = library.compute(&a.model).err();
    let used = a
        .model
        .outcomes
        .iter()
        .flat_map(|o| &o.values)
        .filter_map(|v| v.cost_code.as_ref())
        .filter_map(|code| library.cost(code).map(|c| (code.clone(), c.clone())))
        .collect();
    let notice = q.saved.map(|what| format!("{} saved.", capitalise(&what)));
    Ok(EditPage {
        chrome: chrome(state, identity, SECTION, &format!("Edit {}", a.model.name)).await?,
        id: a.id,
        model: a.model,
        errors,
        entered,
        query,
        query_outcome: q.outcome.unwrap_or(0),
        hits,
        library_costs: library.costs.len(),
        used,
        problem,
        notice,
    })
}

pub async fn edit(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = load(&state, id).await?;
    render(&edit_page(&state, &identity, a, Vec::new(), HashMap::new(), q).await?)
}

type FormMap = HashMap<String, String>;

fn form_map(pairs: Vec<(String, String)>) -> FormMap {
    pairs
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .collect()
}

/// Reads fields with their errors collected.
struct Fields<'a> {
    m: &'a FormMap,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    fn text(&self, k: &str) -> String {
        self.m
            .get(k)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    }
    fn required(&mut self, k: &'static str, what: &str) -> String {
        let v = self.text(k);
        if v.is_empty() {
            self.errors
                .push(FieldError::new(k, format!("Enter {what}")));
        }
        v
    }
    fn number(&mut self, k: &'static str, what: &str, default: Option<f64>) -> f64 {
        let raw = self.text(k).replace([',', '£'], "");
        if raw.is_empty() {
            if let Some(d) = default {
                return d;
            }
            self.errors
                .push(FieldError::new(k, format!("Enter {what}")));
            return 0.0;
        }
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                self.errors.push(FieldError::new(
                    k,
                    format!("{} must be a number, like 1250 or 0.5", capitalise(what)),
                ));
                0.0
            }
        }
    }
    /// A percentage typed as 0–100, returned as a fraction.
    fn percent(&mut self, k: &'static str, what: &str, default: f64) -> f64 {
        let raw = self.text(k).trim_end_matches('%').trim().to_owned();
        if raw.is_empty() {
            return default;
        }
        match raw.parse::<f64>() {
            Ok(v) if (0.0..=100.0).contains(&v) => v / 100.0,
            _ => {
                self.errors.push(FieldError::new(
                    k,
                    format!("{} must be a percentage from 0 to 100", capitalise(what)),
                ));
                default
            }
        }
    }
    fn whole(&mut self, k: &'static str, what: &str, default: u32, max: u32) -> u32 {
        let raw = self.text(k);
        if raw.is_empty() {
            return default;
        }
        match raw.parse::<u32>() {
            Ok(v) if v <= max => v,
            _ => {
                self.errors.push(FieldError::new(
                    k,
                    format!(
                        "{} must be a whole number from 0 to {max}",
                        capitalise(what)
                    ),
                ));
                default
            }
        }
    }
    fn grade(&mut self, k: &'static str) -> Option<u8> {
        match self.text(k).as_str() {
            "" => None,
            g => match g.parse::<u8>() {
                Ok(g) if (1..=6).contains(&g) => Some(g),
                _ => {
                    self.errors
                        .push(FieldError::new(k, "Choose a confidence grade from 1 to 6"));
                    None
                }
            },
        }
    }
    fn year(&mut self, k: &'static str, what: &str) -> Option<FinancialYear> {
        let raw = self.text(k);
        if raw.is_empty() {
            return None;
        }
        match raw.parse() {
            Ok(y) => Some(y),
            Err(e) => {
                self.errors
                    .push(FieldError::new(k, format!("{}: {e}", capitalise(what))));
                None
            }
        }
    }
    fn checked(&self, k: &str) -> bool {
        self.m.contains_key(k)
    }
}

/// Applies a change to the model and saves it, or shows the builder again with the errors and what
/// was typed.
#[allow(clippy::too_many_arguments)]
async fn save_or_show(
    state: &AppState,
    identity: &Identity,
    me: &User,
    a: StoredAppraisal,
    entered: FormMap,
    mut errors: Vec<FieldError>,
    change: impl FnOnce(&mut Appraisal),
    saved: &str,
    anchor: &str,
) -> Result<Response, AppError> {
    if errors.is_empty() {
        let mut model = a.model.clone();
        change(&mut model);
        match model.check() {
            Ok(()) => match state
                .store
                .save_appraisal(&actor(me), Some(a.id), &model)
                .await
            {
                Ok(_) => {
                    return Ok(Redirect::to(&format!(
                        "/community-budgets/appraisals/{}/edit?saved={saved}#{anchor}",
                        a.id
                    ))
                    .into_response());
                }
                Err(StoreError::Conflict(m)) => {
                    errors.push(FieldError::new("name", capitalise(&m)))
                }
                Err(e) => return Err(e.into()),
            },
            Err(e) => errors.push(FieldError::new(
                field_of(&e.field),
                capitalise(&e.to_string()),
            )),
        }
    }
    let page = edit_page(state, identity, a, errors, entered, EditQuery::default()).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Maps a model field to the form field that sets it (for the error link).
fn field_of(model_field: &str) -> &'static str {
    match model_field {
        "name" => "name",
        "agency" => "cost_agency",
        "amount" => "cost_amount",
        _ => "name",
    }
}

pub async fn save_settings(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = load(&state, id).await?;
    let m = form_map(pairs);
    let mut f = Fields {
        m: &m,
        errors: Vec::new(),
    };
    let name = f.required("name", "a name for the intervention");
    let description = f.text("description");
    let price_base = f.year("price_base", "price base");
    if price_base.is_none() && f.err_missing("price_base") {
        f.errors.push(FieldError::new(
            "price_base",
            "Enter the price base, like 2019/20",
        ));
    }
    let first_year = f.year("first_year", "first year");
    let years = match f.text("years").as_str() {
        "" => None,
        _ => Some(f.whole("years", "the number of years", 10, 200).max(1)),
    };
    let discount = if f.text("discount") == "health" {
        Schedule::Health
    } else {
        Schedule::Standard
    };
    let errors = f.errors;
    save_or_show(
        &state,
        &identity,
        &me,
        a,
        m.clone(),
        errors,
        move |model| {
            model.name = name;
            model.description = description;
            if let Some(p) = price_base {
                model.price_base = p;
            }
            model.first_year = first_year;
            model.years = years;
            model.discount = discount;
        },
        "settings",
        "settings",
    )
    .await
}

impl Fields<'_> {
    fn err_missing(&self, k: &str) -> bool {
        self.text(k).is_empty() && !self.errors.iter().any(|e| e.field == k)
    }
}

pub async fn add_cost(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = load(&state, id).await?;
    let m = form_map(pairs);
    let mut f = Fields {
        m: &m,
        errors: Vec::new(),
    };
    let agency = f.required("cost_agency", "the agency that pays");
    let description = f.text("cost_description");
    let year = f.whole("cost_year", "the year", 0, 200);
    let amount = f.number("cost_amount", "the amount in pounds", None);
    let confidence = f.grade("cost_confidence");
    let errors = f.errors;
    save_or_show(
        &state,
        &identity,
        &me,
        a,
        m.clone(),
        errors,
        move |model| {
            model.costs.push(CostLine {
                description,
                agency,
                year,
                amount,
                price_year: None,
                confidence,
                optimism_bias: None,
            });
        },
        "cost",
        "costs",
    )
    .await
}

/// Removes one line with `remove` (which says whether there was such a line), saves, and returns to
/// the builder at `anchor`.
async fn remove_line(
    state: &AppState,
    me: &User,
    id: i64,
    remove: impl FnOnce(&mut Appraisal) -> bool,
    saved: &str,
    anchor: &str,
) -> Result<Response, AppError> {
    require_officer(me)?;
    let mut model = load(state, id).await?.model;
    if remove(&mut model) {
        state
            .store
            .save_appraisal(&actor(me), Some(id), &model)
            .await?;
    }
    Ok(Redirect::to(&format!(
        "/community-budgets/appraisals/{id}/edit?saved={saved}#{anchor}"
    ))
    .into_response())
}

pub async fn delete_cost(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, i)): Path<(i64, usize)>,
) -> Result<Response, AppError> {
    let remove = |m: &mut Appraisal| (i < m.costs.len()).then(|| m.costs.remove(i)).is_some();
    remove_line(&state, &me, id, remove, "cost+removal", "costs").await
}

pub async fn add_outcome(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = load(&state, id).await?;
    let m = form_map(pairs);
    let mut f = Fields {
        m: &m,
        errors: Vec::new(),
    };
    let name = f.required("outcome_name", "a name for the outcome");
    let measure = f.text("outcome_measure");
    let people = f.number("outcome_people", "the number of people or outcomes", None);
    if people < 0.0 {
        f.errors.push(FieldError::new(
            "outcome_people",
            "The number cannot be negative",
        ));
    }
    let year = f.whole("outcome_year", "the year achieved", 0, 200);
    let engagement = f.percent("outcome_engagement", "engagement", 1.0);
    let success = f.percent("outcome_success", "success", 1.0);
    let deadweight = f.percent("outcome_deadweight", "deadweight", 0.0);
    let attribution = f.percent("outcome_attribution", "attribution", 1.0);
    let displacement = f.percent("outcome_displacement", "displacement", 0.0);
    let leakage = f.percent("outcome_leakage", "leakage", 0.0);
    let confidence = f.grade("outcome_confidence");
    let lag = f.whole("outcome_lag", "the lag", 0, 100);
    let duration = f.whole("outcome_duration", "the duration", 1, 100).max(1);
    let drop_off = f.percent("outcome_drop_off", "drop-off", 0.0);
    let evidence = f.text("outcome_evidence");
    let errors = f.errors;
    let (cohort, count) = if measure == "count" {
        (None, Some(PerYear::Once(people)))
    } else {
        (Some(PerYear::Once(people)), None)
    };
    save_or_show(
        &state,
        &identity,
        &me,
        a,
        m.clone(),
        errors,
        move |model| {
            model.outcomes.push(OutcomeLine {
                name,
                description: String::new(),
                cohort,
                engagement,
                success,
                count,
                year,
                deadweight,
                attribution,
                displacement,
                leakage,
                confidence,
                optimism_bias: None,
                lag,
                duration,
                drop_off,
                evidence,
                values: Vec::new(),
            });
        },
        "outcome",
        "outcomes",
    )
    .await
}

pub async fn delete_outcome(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, i)): Path<(i64, usize)>,
) -> Result<Response, AppError> {
    let remove = |m: &mut Appraisal| {
        (i < m.outcomes.len())
            .then(|| m.outcomes.remove(i))
            .is_some()
    };
    remove_line(&state, &me, id, remove, "outcome+removal", "outcomes").await
}

pub async fn add_value(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((id, i)): Path<(i64, usize)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = load(&state, id).await?;
    if i >= a.model.outcomes.len() {
        return Err(AppError::NotFound);
    }
    let m = form_map(pairs);
    let mut f = Fields {
        m: &m,
        errors: Vec::new(),
    };
    let cost_code = Some(f.text("value_code")).filter(|c| !c.is_empty());
    let kind = match f.text("value_kind").as_str() {
        "fiscal" => ValueKind::Fiscal,
        "economic" => ValueKind::Economic,
        "social" => ValueKind::Social,
        _ => {
            f.errors.push(FieldError::new(
                "value_kind",
                "Choose whether the value is fiscal, economic or social",
            ));
            ValueKind::Fiscal
        }
    };
    let amount = if cost_code.is_some() && f.text("value_amount").is_empty() {
        None
    } else {
        Some(f.number("value_amount", "the value in pounds", None))
    };
    let price_year = f.year("value_price_year", "price year");
    let agency = Some(f.text("value_agency")).filter(|a| !a.is_empty());
    if cost_code.is_none() && kind == ValueKind::Fiscal && agency.is_none() {
        f.errors.push(FieldError::new(
            "value_agency",
            "Enter the agency whose budget benefits",
        ));
    }
    let description = Some(f.text("value_description")).filter(|d| !d.is_empty());
    if cost_code.is_none() && description.is_none() {
        f.errors
            .push(FieldError::new("value_description", "Describe the value"));
    }
    let transfer = f.checked("value_transfer");
    let cashable = f.percent("value_cashable", "the cashable share", 0.0);
    let once = f.checked("value_once");
    if kind != ValueKind::Fiscal && (transfer || cashable > 0.0) {
        f.errors.push(FieldError::new(
            "value_kind",
            "Only fiscal values can be transfers or cashable",
        ));
    }
    if let Some(code) = &cost_code {
        match state.store.unit_cost(code).await? {
            None => f.errors.push(FieldError::new(
                "value_code",
                format!("{code} is not in the unit cost library"),
            )),
            Some(c) if c.value(kind).is_none() && amount.is_none() => {
                f.errors.push(FieldError::new(
                    "value_kind",
                    format!(
                        "{code} has no {} value in the library",
                        kind_label(kind).to_lowercase()
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    let errors = f.errors;
    save_or_show(
        &state,
        &identity,
        &me,
        a,
        m.clone(),
        errors,
        move |model| {
            model.outcomes[i].values.push(ValueLine {
                cost_code,
                kind,
                amount,
                price_year,
                agency,
                description,
                transfer,
                cashable,
                once,
                source: None,
            });
        },
        "value",
        &format!("outcome-{i}"),
    )
    .await
}

pub async fn delete_value(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, i, j)): Path<(i64, usize, usize)>,
) -> Result<Response, AppError> {
    let remove = |m: &mut Appraisal| match m.outcomes.get_mut(i) {
        Some(o) if j < o.values.len() => {
            o.values.remove(j);
            true
        }
        _ => false,
    };
    remove_line(
        &state,
        &me,
        id,
        remove,
        "value+removal",
        &format!("outcome-{i}"),
    )
    .await
}

pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    state.store.delete_appraisal(&actor(&me), id).await?;
    Ok(Redirect::to("/community-budgets/appraisals").into_response())
}

// ---------------------------------------------------------------------------------------------
// The unit cost library

#[derive(Template)]
#[template(path = "appraisal/library.html")]
pub struct LibraryPage {
    pub chrome: Chrome,
    pub libraries: Vec<levers_store::appraisal::LibrarySummary>,
    pub query: String,
    pub hits: Vec<UnitCost>,
    pub total: usize,
    pub deflator_years: String,
    pub can_change: bool,
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
    pub max_mb: usize,
}

impl LibraryPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn value(&self, c: &UnitCost, k: &str) -> String {
        let kind = match k {
            "fiscal" => ValueKind::Fiscal,
            "economic" => ValueKind::Economic,
            _ => ValueKind::Social,
        };
        c.value(kind).map_or("–".into(), |v| {
            format!("{} ({})", pounds(v.amount), v.price_year)
        })
    }
    pub fn rag(&self, c: &UnitCost) -> &'static str {
        rag_label(Some(c.rag))
    }
    pub fn when(&self, t: &i64) -> String {
        crate::templates::when(t)
    }
}

#[derive(Deserialize, Default)]
pub struct LibraryQuery {
    q: Option<String>,
    imported: Option<String>,
}

async fn library_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    q: LibraryQuery,
    errors: Vec<FieldError>,
) -> Result<LibraryPage, AppError> {
    let costs = state.store.unit_costs().await?;
    let query = q.q.unwrap_or_default();
    let hits = search_costs(&costs, &query, 50)
        .into_iter()
        .cloned()
        .collect();
    let years: Vec<FinancialYear> = state.store.deflators().await?.years().collect();
    let deflator_years = match (years.first(), years.last()) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => String::new(),
    };
    Ok(LibraryPage {
        chrome: chrome(state, identity, SECTION, "Unit cost library").await?,
        libraries: state.store.unit_cost_libraries().await?,
        query,
        hits,
        total: costs.len(),
        deflator_years,
        can_change: me.role.allows(Role::Officer),
        errors,
        notice: q.imported,
        max_mb: LIBRARY_LIMIT_BYTES / (1024 * 1024),
    })
}

pub async fn library(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<LibraryQuery>,
) -> Result<Response, AppError> {
    render(&library_page(&state, &identity, &me, q, Vec::new()).await?)
}

/// Imports a unit cost table (CSV or the workbook) uploaded by an officer.
pub async fn library_upload(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    mut form: Multipart,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let (mut name, mut file_name, mut data) = (String::new(), String::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(|_| AppError::TooLarge)? {
        match field.name() {
            Some("name") => name = field.text().await.map_err(|_| AppError::TooLarge)?,
            Some("file") => {
                file_name = field.file_name().unwrap_or("").to_owned();
                data = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::TooLarge)?
                    .to_vec();
            }
            _ => {}
        }
    }
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push(FieldError::new(
            "name",
            "Enter a name for the library, like \"Levermouth own values 2026\"",
        ));
    }
    if data.is_empty() {
        errors.push(FieldError::new("file", "Choose a CSV or XLSX file"));
    }
    if errors.is_empty() {
        let read = if data.starts_with(b"PK") {
            read_unit_costs_xlsx(&file_name, &data)
        } else {
            read_unit_costs(&file_name, &data)
        };
        match read {
            Ok((costs, report)) if !costs.is_empty() => {
                state
                    .store
                    .import_unit_costs(&actor(&me), &name, &file_name, &costs, &report)
                    .await?;
                // The Unit Cost Database workbook brings its deflator table too.
                let deflators = if data.starts_with(b"PK") {
                    levers_appraisal::Deflators::from_xlsx(&file_name, &data)
                        .ok()
                        .flatten()
                } else {
                    None
                };
                let extra = match &deflators {
                    Some(d) => format!(
                        " Its deflator table ({} years) was imported too.",
                        state
                            .store
                            .import_deflators(&actor(&me), &file_name, d)
                            .await?
                    ),
                    None => String::new(),
                };
                let note = format!(
                    "Imported {} unit costs into \"{}\": {} rows read = {} kept + {} rejected + {} without a code.{extra}",
                    costs.len(),
                    name.trim(),
                    report.rows_read,
                    report.costs,
                    report.rejected.len(),
                    report.rows_without_code
                );
                let url = format!(
                    "/community-budgets/unit-costs?imported={}",
                    form_urlencoded::byte_serialize(note.as_bytes()).collect::<String>()
                );
                return Ok(Redirect::to(&url).into_response());
            }
            Ok(_) => errors.push(FieldError::new(
                "file",
                "The file has no unit costs with a cost code",
            )),
            Err(e) => errors.push(FieldError::new("file", capitalise(&e.to_string()))),
        }
    }
    let page = library_page(&state, &identity, &me, LibraryQuery::default(), errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// ---------------------------------------------------------------------------------------------
// Pooled budgets

#[derive(Template)]
#[template(path = "appraisal/pools.html")]
pub struct PoolsPage {
    pub chrome: Chrome,
    pub pools: Vec<(i64, String)>,
    pub can_change: bool,
    pub errors: Vec<FieldError>,
}

impl PoolsPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

pub async fn pools(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    render(&PoolsPage {
        chrome: chrome(&state, &identity, SECTION, "Pooled budgets").await?,
        pools: state.store.pools().await?,
        can_change: me.role.allows(Role::Officer),
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct PoolForm {
    name: String,
}

pub async fn create_pool(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    axum::Form(f): axum::Form<PoolForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let error = match state.store.create_pool(&actor(&me), &f.name).await {
        Ok(id) => {
            return Ok(Redirect::to(&format!("/community-budgets/pools/{id}")).into_response());
        }
        Err(StoreError::Conflict(m) | StoreError::Invalid(m)) => {
            FieldError::new("name", capitalise(&m))
        }
        Err(e) => return Err(e.into()),
    };
    let page = PoolsPage {
        chrome: chrome(&state, &identity, SECTION, "Pooled budgets").await?,
        pools: state.store.pools().await?,
        can_change: true,
        errors: vec![error],
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[derive(Template)]
#[template(path = "appraisal/pool.html")]
pub struct PoolPage {
    pub chrome: Chrome,
    pub id: i64,
    pub report: PoolReport,
    pub partner_ids: Vec<(i64, String)>,
    pub line_ids: Vec<(i64, String, Option<i64>)>,
    pub appraisals: Vec<(i64, String)>,
    pub can_change: bool,
    pub errors: Vec<FieldError>,
    pub chart_partners: String,
    pub chart_quarters: String,
    pub years: Vec<FinancialYear>,
    /// The lines that fund a community budget vote, with the vote each names.
    pub votes: Vec<VoteLine>,
    /// Every community budget process, `(id, name)`, for the form that links a line to one.
    pub processes: Vec<(i64, String)>,
}

/// A pool line that funds a community budget vote, beside the vote itself.
pub struct VoteLine {
    pub line_id: i64,
    pub line: String,
    pub plan: Money,
    pub process: Option<VoteInfo>,
}

/// What the pool page shows of a linked vote: the residents' decision only once it is published.
pub struct VoteInfo {
    pub slug: String,
    pub name: String,
    pub phase: &'static str,
    pub pot: Money,
    /// What the published result funds.
    pub funded: Option<Money>,
    /// Spent on delivering the funded projects so far.
    pub delivered: Money,
    /// Where the pool's plan for the line and the vote's pot disagree.
    pub note: Option<String>,
}

/// The linked votes of a pool's lines.
async fn vote_lines(
    state: &AppState,
    stored: &levers_store::appraisal::StoredPool,
    report: &PoolReport,
) -> Result<Vec<VoteLine>, AppError> {
    let mut out = Vec::new();
    for (((line_id, name, _), process_id), row) in stored
        .line_ids
        .iter()
        .zip(&stored.line_processes)
        .zip(&report.lines)
    {
        if row.funds != Funds::PbProcess {
            continue;
        }
        let process = match process_id {
            Some(pid) => {
                match state.store.pb_process(*pid).await? {
                    Some(p) => {
                        let published = p.phase == levers_pb::process::Phase::Results;
                        let funded = if published {
                            state
                                .store
                                .pb_result(p.id)
                                .await?
                                .and_then(|r| {
                                    r.result
                                        .get("spent_pence")
                                        .and_then(serde_json::Value::as_i64)
                                })
                                .map(Money::from_pence)
                        } else {
                            None
                        };
                        let delivered = Money::from_pence(
                            state
                                .store
                                .pb_delivery(p.id)
                                .await?
                                .iter()
                                .map(|d| d.spent_pence)
                                .sum(),
                        );
                        let pot = Money::from_pence(p.def.pot_pence);
                        let note = (row.plan != pot).then(|| {
                        format!("the pool plans {} for this line in all years; this vote's pot is {}.", row.plan, pot)
                    });
                        Some(VoteInfo {
                            slug: p.def.slug.clone(),
                            name: p.def.name.clone(),
                            phase: p.phase.label(),
                            pot,
                            funded,
                            delivered,
                            note,
                        })
                    }
                    None => None,
                }
            }
            None => None,
        };
        out.push(VoteLine {
            line_id: *line_id,
            line: name.clone(),
            plan: row.plan,
            process,
        });
    }
    Ok(out)
}

impl PoolPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn money(&self, m: &Money) -> String {
        m.to_string()
    }
    pub fn pounds(&self, x: &f64) -> String {
        pounds(*x)
    }
    pub fn percent(&self, x: &f64) -> String {
        format!("{:.1}%", x * 100.0)
    }
    pub fn ratio(&self, x: &Option<f64>) -> String {
        ratio(*x)
    }
    pub fn opt_count(&self, x: &Option<f64>) -> String {
        x.map_or("–".into(), count)
    }
    pub fn opt_pounds(&self, x: &Option<f64>) -> String {
        x.map_or("–".into(), pounds)
    }
    pub fn contribution(
        &self,
        row: &levers_appraisal::pooled::PartnerRow,
        y: &FinancialYear,
    ) -> String {
        row.by_year.get(y).map_or("–".into(), |m| m.to_string())
    }
    pub fn funds(&self, f: &Funds) -> &'static str {
        f.label()
    }
    pub fn year_total(&self, y: &FinancialYear) -> String {
        self.report
            .by_year
            .get(y)
            .map_or("–".into(), |m| m.to_string())
    }
}

async fn pool_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    id: i64,
    errors: Vec<FieldError>,
) -> Result<PoolPage, AppError> {
    let stored = state.store.pool(id).await?.ok_or(AppError::NotFound)?;
    let library = Library::load(state).await?;
    let mut appraisal_results = BTreeMap::new();
    let mut appraisals = Vec::new();
    for a in state.store.appraisals().await? {
        appraisals.push((a.id, a.model.name.clone()));
        if let Ok(r) = library.compute(&a.model) {
            appraisal_results.insert(a.model.name.clone(), r);
        }
    }
    let report = stored
        .budget
        .report(&appraisal_results)
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let labels: Vec<String> = report.partners.iter().map(|p| p.partner.clone()).collect();
    let shares: Vec<f64> = report
        .partners
        .iter()
        .map(|p| p.share_of_pool * 100.0)
        .collect();
    let benefits: Vec<f64> = report
        .partners
        .iter()
        .map(|p| p.share_of_benefits * 100.0)
        .collect();
    let chart_partners = signed_hbar_chart(
        "partners",
        "Each partner's share of the pool and of the fiscal benefits the appraisals expect",
        &labels,
        &[
            ("Share of the pool", &shares),
            ("Share of fiscal benefits", &benefits),
        ],
        &|v| format!("{v:.1}%"),
    );
    let qlabels: Vec<String> = report
        .quarters
        .iter()
        .map(|q| format!("{} Q{}", q.year, q.quarter))
        .collect();
    let plan: Vec<f64> = report
        .quarters
        .iter()
        .map(|q| q.plan.as_pounds_f64())
        .collect();
    let spend: Vec<f64> = report
        .quarters
        .iter()
        .map(|q| q.spend.as_pounds_f64())
        .collect();
    let chart_quarters = signed_hbar_chart(
        "quarters",
        "Plan and spend by quarter",
        &qlabels,
        &[("Plan", &plan), ("Spend", &spend)],
        &pounds0,
    );
    let years: Vec<FinancialYear> = report.by_year.keys().copied().collect();
    let votes = vote_lines(state, &stored, &report).await?;
    let processes = state
        .store
        .pb_processes()
        .await?
        .into_iter()
        .map(|p| (p.id, p.def.name))
        .collect();
    Ok(PoolPage {
        chrome: chrome(state, identity, SECTION, &report.name).await?,
        id,
        report,
        partner_ids: stored.partner_ids,
        line_ids: stored.line_ids,
        appraisals,
        can_change: me.role.allows(Role::Officer),
        errors,
        chart_partners,
        chart_quarters,
        years,
        votes,
        processes,
    })
}

pub async fn pool(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    render(&pool_page(&state, &identity, &me, id, Vec::new()).await?)
}

/// One form for every change to a pool: `action` says which.
pub async fn pool_change(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let m = form_map(pairs);
    let mut f = Fields {
        m: &m,
        errors: Vec::new(),
    };
    let who = actor(&me);
    let money = |f: &mut Fields, k: &'static str, what: &str| -> Money {
        match f.text(k).parse::<Money>() {
            Ok(v) if !v.is_negative() => v,
            Ok(_) => {
                f.errors.push(FieldError::new(
                    k,
                    format!("{} cannot be negative", capitalise(what)),
                ));
                Money::ZERO
            }
            Err(e) => {
                f.errors
                    .push(FieldError::new(k, format!("{}: {e}", capitalise(what))));
                Money::ZERO
            }
        }
    };
    let result = match f.text("action").as_str() {
        "partner" => {
            let name = f.required("partner_name", "the partner's name");
            let agencies: Vec<String> = f
                .text("partner_agencies")
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            if f.errors.is_empty() {
                Some(
                    state
                        .store
                        .add_pool_partner(&who, id, &name, &agencies)
                        .await
                        .map(|_| ()),
                )
            } else {
                None
            }
        }
        "contribution" => {
            let partner: i64 = f.text("contribution_partner").parse().unwrap_or(0);
            let year = f.year("contribution_year", "year");
            if year.is_none() && f.err_missing("contribution_year") {
                f.errors.push(FieldError::new(
                    "contribution_year",
                    "Enter the financial year, like 2025/26",
                ));
            }
            let amount = money(&mut f, "contribution_amount", "the contribution");
            match (f.errors.is_empty(), year) {
                (true, Some(y)) => Some(
                    state
                        .store
                        .set_pool_contribution(&who, partner, y, amount)
                        .await,
                ),
                _ => None,
            }
        }
        "line" => {
            let name = f.required("line_name", "the line's name");
            let funds = match f.text("line_funds").as_str() {
                "pb_process" => Funds::PbProcess,
                "other" => Funds::Other,
                _ => Funds::Intervention,
            };
            let appraisal = f.text("line_appraisal").parse::<i64>().ok();
            if f.errors.is_empty() {
                Some(
                    state
                        .store
                        .add_pool_line(&who, id, &name, funds, appraisal)
                        .await
                        .map(|_| ()),
                )
            } else {
                None
            }
        }
        "vote" => {
            let line: i64 = f.text("vote_line").parse().unwrap_or(0);
            let process = f.text("vote_process").parse::<i64>().ok();
            Some(state.store.set_pool_line_process(&who, line, process).await)
        }
        "quarter" => {
            let line: i64 = f.text("quarter_line").parse().unwrap_or(0);
            let year = f.year("quarter_year", "year");
            if year.is_none() && f.err_missing("quarter_year") {
                f.errors.push(FieldError::new(
                    "quarter_year",
                    "Enter the financial year, like 2025/26",
                ));
            }
            let quarter = f.whole("quarter_quarter", "the quarter", 1, 4) as u8;
            let plan = money(&mut f, "quarter_plan", "the plan");
            let spend = money(&mut f, "quarter_spend", "the spend");
            match (f.errors.is_empty(), year) {
                (true, Some(y)) => Some(
                    state
                        .store
                        .set_pool_quarter(&who, line, y, quarter, plan, spend)
                        .await,
                ),
                _ => None,
            }
        }
        _ => return Err(AppError::NotFound),
    };
    let mut errors = f.errors;
    match result {
        Some(Ok(())) => {
            return Ok(Redirect::to(&format!("/community-budgets/pools/{id}")).into_response());
        }
        Some(Err(StoreError::Conflict(m) | StoreError::Invalid(m) | StoreError::NotFound(m))) => {
            let field = match m.as_str() {
                _ if m.contains("community budget") => "vote_process",
                _ if m.contains("partner") => "partner_name",
                _ if m.contains("line") => "line_name",
                _ => "quarter_quarter",
            };
            errors.push(FieldError::new(field, capitalise(&m)));
        }
        Some(Err(e)) => return Err(e.into()),
        None => {}
    }
    let page = pool_page(&state, &identity, &me, id, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// The appraisal and pooled-budget routes, for any signed-in account (changes check for an officer
/// in the handler). The library upload takes bodies up to [`LIBRARY_LIMIT_BYTES`].
pub fn routes() -> axum::Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::middleware::from_fn;
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/community-budgets/appraisals", get(list).post(create))
        .route("/community-budgets/appraisals/compare", get(compare))
        .route("/community-budgets/appraisals/{id}", get(show))
        .route("/community-budgets/appraisals/{id}/edit", get(edit))
        .route(
            "/community-budgets/appraisals/{id}/settings",
            post(save_settings),
        )
        .route("/community-budgets/appraisals/{id}/costs", post(add_cost))
        .route(
            "/community-budgets/appraisals/{id}/costs/{i}/delete",
            post(delete_cost),
        )
        .route(
            "/community-budgets/appraisals/{id}/outcomes",
            post(add_outcome),
        )
        .route(
            "/community-budgets/appraisals/{id}/outcomes/{i}/delete",
            post(delete_outcome),
        )
        .route(
            "/community-budgets/appraisals/{id}/outcomes/{i}/values",
            post(add_value),
        )
        .route(
            "/community-budgets/appraisals/{id}/outcomes/{i}/values/{j}/delete",
            post(delete_value),
        )
        .route("/community-budgets/appraisals/{id}/delete", post(delete))
        .route(
            "/community-budgets/appraisals/{id}/export.xlsx",
            get(download_xlsx),
        )
        .route(
            "/community-budgets/appraisals/{id}/model.toml",
            get(download_toml),
        )
        .route(
            "/community-budgets/unit-costs",
            get(library)
                .post(library_upload)
                .layer(DefaultBodyLimit::max(LIBRARY_LIMIT_BYTES)),
        )
        .route("/community-budgets/pools", get(pools).post(create_pool))
        .route("/community-budgets/pools/{id}", get(pool).post(pool_change))
        .route_layer(from_fn(crate::auth::require(Role::Viewer)))
}
