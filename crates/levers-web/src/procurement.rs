//! Procurement analysis (community wealth building): loading a year's payments, the bodies' supplier
//! records, register entries and decisions from the store and running levers-spend's analysis (shared
//! with the CLI); the standalone HTML report, CSV and XLSX exports; and the pages: dashboard with
//! filters, charts and tables, drill-down from sector to supplier to payments, the review queue for
//! close name matches, the exclusion rules officers edit, and the supplier records with their upload.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use levers_core::AreaCode;
use levers_spend::analysis::{Area, ImdChoice, Payments, Report, SectorBasis};
use levers_spend::classify::{ExclusionRule, RuleField};
use levers_spend::resolve::normalise_name;
use levers_store::{StoreError, User};
use serde::Deserialize;

pub use levers_app::procurement::*;
pub use levers_present::procurement_report::*;

use crate::AppState;
use crate::auth::{CurrentUser, Identity, actor, require_officer};
use crate::error::AppError;
use crate::pages::{chrome, render, render_status};
use crate::templates::Chrome;

// ---------------------------------------------------------------------------------------------
// Pages.

/// The dashboard's filters as the query string carries them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    pub body: Vec<String>,
    pub year: Option<String>,
    pub baseline: Option<String>,
    pub top: Option<usize>,
    pub local: Option<String>,
    pub local_name: Option<String>,
    pub wider: Option<String>,
    pub wider_name: Option<String>,
    pub sector_basis: Option<String>,
    pub sector: Option<String>,
    pub unit: Option<u32>,
    pub table: Option<String>,
}

/// Reads repeated `body=` keys (serde_urlencoded cannot collect them into a Vec).
fn parse_filters(raw: Option<&str>) -> Filters {
    let mut f = Filters::default();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let v = v.trim().to_string();
        match k.as_ref() {
            "body" if !v.is_empty() => f.body.push(v),
            "year" if !v.is_empty() => f.year = Some(v),
            "baseline" if !v.is_empty() => f.baseline = Some(v),
            "top" => f.top = v.parse().ok(),
            "local" => f.local = Some(v),
            "local_name" => f.local_name = Some(v),
            "wider" => f.wider = Some(v),
            "wider_name" => f.wider_name = Some(v),
            "sector_basis" => f.sector_basis = Some(v),
            "sector" => f.sector = Some(v),
            "unit" => f.unit = v.parse().ok(),
            "table" => f.table = Some(v),
            _ => {}
        }
    }
    f
}

/// The filter form's state and what it resolves to.
pub struct FilterForm {
    pub bodies: Vec<(String, bool)>,
    pub years: Vec<String>,
    pub year: String,
    pub baseline: String,
    pub top: usize,
    pub local: String,
    pub local_name: String,
    pub wider: String,
    pub wider_name: String,
    pub sector_basis: String,
    pub errors: Vec<crate::templates::FieldError>,
}

impl FilterForm {
    pub fn query(&self) -> String {
        let mut q: Vec<String> = self
            .bodies
            .iter()
            .filter(|(_, on)| *on)
            .map(|(b, _)| format!("body={}", url(b)))
            .collect();
        q.push(format!("year={}", url(&self.year)));
        if !self.baseline.is_empty() {
            q.push(format!("baseline={}", url(&self.baseline)));
        }
        q.push(format!("top={}", self.top));
        q.push(format!("local={}", url(&self.local)));
        q.push(format!("local_name={}", url(&self.local_name)));
        q.push(format!("wider={}", url(&self.wider)));
        q.push(format!("wider_name={}", url(&self.wider_name)));
        q.push(format!("sector_basis={}", url(&self.sector_basis)));
        q.join("&")
    }
}

async fn filter_form(
    state: &AppState,
    f: &Filters,
) -> Result<(FilterForm, Option<AnalysisParams>), AppError> {
    let store = &state.store;
    let all_bodies = store.spend_bodies().await?;
    let chosen: Vec<String> = if f.body.is_empty() {
        all_bodies.first().cloned().into_iter().collect()
    } else {
        f.body
            .iter()
            .filter(|b| all_bodies.contains(b))
            .cloned()
            .collect()
    };
    let years = if chosen.is_empty() {
        Vec::new()
    } else {
        store.spend_years(&chosen).await?
    };
    let year = f
        .year
        .clone()
        .filter(|y| years.contains(y))
        .or_else(|| years.first().cloned())
        .unwrap_or_default();
    let setting =
        |k: &'static str| async move { store.setting(k).await.map(Option::unwrap_or_default) };
    let local = match &f.local {
        Some(s) => s.clone(),
        None => setting(LOCAL_LADS).await?,
    };
    let local_name = match &f.local_name {
        Some(s) if !s.is_empty() => s.clone(),
        _ => setting(LOCAL_NAME).await?,
    };
    let wider = match &f.wider {
        Some(s) => s.clone(),
        None => setting(WIDER_LADS).await?,
    };
    let wider_name = match &f.wider_name {
        Some(s) if !s.is_empty() => s.clone(),
        _ => setting(WIDER_NAME).await?,
    };
    let mut form = FilterForm {
        bodies: all_bodies
            .iter()
            .map(|b| (b.clone(), chosen.contains(b)))
            .collect(),
        years,
        year: year.clone(),
        baseline: f.baseline.clone().unwrap_or_default(),
        top: f.top.unwrap_or(300).clamp(1, 100_000),
        local,
        local_name,
        wider,
        wider_name,
        sector_basis: f
            .sector_basis
            .clone()
            .filter(|s| s == "supplier")
            .unwrap_or_else(|| "expense_type".into()),
        errors: Vec::new(),
    };
    use crate::templates::FieldError;
    let local_codes = parse_codes(&form.local)
        .map_err(|e| form.errors.push(FieldError::new("local", e)))
        .ok();
    let wider_codes = parse_codes(&form.wider)
        .map_err(|e| form.errors.push(FieldError::new("wider", e)))
        .ok();
    if local_codes.as_ref().is_some_and(Vec::is_empty) {
        form.errors.push(FieldError::new(
            "local",
            "Enter the district codes of the local area, like E08000009",
        ));
    }
    if chosen.is_empty() || year.is_empty() {
        return Ok((form, None));
    }
    let (Some(lc), Some(wc)) = (local_codes, wider_codes) else {
        return Ok((form, None));
    };
    if !form.errors.is_empty() {
        return Ok((form, None));
    }
    let name_of = |codes: &[AreaCode], given: &str| {
        if given.trim().is_empty() {
            codes
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            given.trim().to_string()
        }
    };
    let params = AnalysisParams {
        bodies: chosen,
        year,
        local: Area {
            name: name_of(&lc, &form.local_name),
            lads: lc.clone(),
        },
        wider: Area {
            name: name_of(&wc, &form.wider_name),
            lads: wc,
        },
        top_n: form.top,
        baseline: Some(form.baseline.clone()).filter(|b| !b.is_empty()),
        imd: ImdChoice::Imd2019,
        sector: if form.sector_basis == "supplier" {
            SectorBasis::Supplier
        } else {
            SectorBasis::ExpenseType
        },
        use_registers: true,
    };
    Ok((form, Some(params)))
}

#[derive(Template)]
#[template(path = "procurement/dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub form: FilterForm,
    pub v: Option<ReportView>,
    pub errors: Vec<crate::templates::FieldError>,
    pub can_change: bool,
}

impl DashboardPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        crate::templates::error_for(&self.form.errors, f)
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let f = parse_filters(uri.query());
    let (mut form, params) = filter_form(&state, &f).await?;
    let chrome = chrome(&state, &identity, "procurement", "Where the money goes").await?;
    let mut v = None;
    if let Some(p) = params {
        let geo = state.geo.get(&state.store).await?;
        let bodies = bodies_for(&state.store, &p).await?;
        let (report, _) = run(&state.store, &state.payments, geo.clone(), &bodies, &p).await?;
        let tr = trend(
            &state.store,
            &state.payments,
            geo.clone(),
            &bodies,
            &p,
            &form.years,
        )
        .await?;
        v = Some(ReportView::new(
            report,
            &geo,
            &tr,
            form.query(),
            &chrome.council,
        ));
    }
    let errors = std::mem::take(&mut form.errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    form.errors = Vec::new();
    let page = DashboardPage {
        chrome,
        form,
        v,
        errors,
        can_change: me.role.allows(levers_store::Role::Officer),
    };
    render_status(status, &page)
}

async fn report_for(
    state: &AppState,
    uri: &axum::http::Uri,
) -> Result<(Filters, ReportView, Arc<Payments>), AppError> {
    let f = parse_filters(uri.query());
    let (form, params) = filter_form(state, &f).await?;
    let p = params.ok_or(AppError::NotFound)?;
    let geo = state.geo.get(&state.store).await?;
    let (report, payments) = run(
        &state.store,
        &state.payments,
        geo.clone(),
        &bodies_for(&state.store, &p).await?,
        &p,
    )
    .await?;
    let council = state
        .store
        .setting(levers_store::settings::COUNCIL_NAME)
        .await?
        .unwrap_or_default();
    Ok((
        f,
        ReportView::new(report, &geo, &[], form.query(), &council),
        payments,
    ))
}

fn attachment(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

fn file_stem(r: &Report) -> String {
    let b: String = r
        .bodies
        .join("-")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "spend-analysis-{}-{}",
        b.trim_matches('-'),
        r.year.replace('/', "-")
    )
}

pub async fn report_download(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (_, v, _) = report_for(&state, &uri).await?;
    let html = report_html(&v).map_err(|e| AppError::Internal(e.into()))?;
    Ok(attachment(
        "text/html; charset=utf-8",
        format!("{}.html", file_stem(&v.r)),
        html.into_bytes(),
    ))
}

pub async fn export_csv(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (f, v, _) = report_for(&state, &uri).await?;
    let table = f.table.as_deref().unwrap_or("suppliers");
    let table = if matches!(table, "suppliers" | "sectors" | "wards") {
        table
    } else {
        "suppliers"
    };
    Ok(attachment(
        "text/csv; charset=utf-8",
        format!("{}-{table}.csv", file_stem(&v.r)),
        report_csv(&v.r, table).into_bytes(),
    ))
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (_, v, _) = report_for(&state, &uri).await?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("{}.xlsx", file_stem(&v.r)),
        report_xlsx(&v.r),
    ))
}

#[derive(Template)]
#[template(path = "procurement/sector.html")]
pub struct SectorPage {
    pub chrome: Chrome,
    pub v: ReportView,
    pub sector: String,
    pub rows: Vec<(levers_spend::analysis::SupplierRow, i64)>,
}

impl SectorPage {
    pub fn unit_link(&self, u: &u32) -> String {
        format!(
            "/procurement/analysis/supplier?{}&sector={}&unit={u}",
            self.v.query,
            url(&self.sector)
        )
    }
}

pub async fn sector(
    State(state): State<AppState>,
    identity: Identity,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (f, v, _) = report_for(&state, &uri).await?;
    let sector = f.sector.clone().ok_or(AppError::NotFound)?;
    let rows = v.r.sector_suppliers(&sector, false);
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let chrome = chrome(
        &state,
        &identity,
        "procurement",
        &format!("Suppliers of {sector}"),
    )
    .await?;
    render(&SectorPage {
        chrome,
        v,
        sector,
        rows,
    })
}

#[derive(Template)]
#[template(path = "procurement/supplier.html")]
pub struct SupplierPage {
    pub chrome: Chrome,
    pub v: ReportView,
    pub sector: Option<String>,
    pub row: levers_spend::analysis::SupplierRow,
    pub lines: Vec<levers_spend::analysis::PaymentLine>,
}

impl SupplierPage {
    pub fn date(&self, d: &Option<time::Date>) -> String {
        d.map_or_else(
            || "–".to_string(),
            |d| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
        )
    }
    pub fn back(&self) -> String {
        match &self.sector {
            Some(s) => self.v.sector_link(s),
            None => format!("/procurement/analysis?{}", self.v.query),
        }
    }
}

pub async fn supplier(
    State(state): State<AppState>,
    identity: Identity,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (f, v, payments) = report_for(&state, &uri).await?;
    let unit = f
        .unit
        .filter(|u| (*u as usize) < v.r.units.len())
        .ok_or(AppError::NotFound)?;
    let lines = v.r.unit_payments(&payments, unit, f.sector.as_deref());
    let mut row = v.r.unit_row(unit);
    if let Some(w) = v.r.units[unit as usize].loc.ward {
        row.ward = Some(v.ward_name(&w));
    }
    let chrome = chrome(&state, &identity, "procurement", &row.name).await?;
    render(&SupplierPage {
        chrome,
        v,
        sector: f.sector,
        row,
        lines,
    })
}

// Review queue.

#[derive(Template)]
#[template(path = "procurement/review.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub body: String,
    pub bodies: Vec<String>,
    pub year: String,
    pub items: Vec<levers_spend::analysis::ReviewItem>,
    pub suppliers: Vec<(i64, String)>,
    pub decisions: Vec<levers_store::procurement::StoredDecision>,
    pub can_change: bool,
    pub done: Option<String>,
}

impl ReviewPage {
    pub fn money(&self, p: &i64) -> String {
        money(*p)
    }
    pub fn score(&self, s: &f64) -> String {
        format!("{:.0}%", s * 100.0)
    }
    pub fn when(&self, t: &i64) -> String {
        crate::templates::when(t)
    }
}

#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    body: Option<String>,
    year: Option<String>,
    done: Option<String>,
}

pub async fn review(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, AppError> {
    let store = &state.store;
    let bodies = store.spend_bodies().await?;
    let body = q
        .body
        .filter(|b| bodies.contains(b))
        .or_else(|| bodies.first().cloned())
        .unwrap_or_default();
    let years = if body.is_empty() {
        vec![]
    } else {
        store.spend_years(std::slice::from_ref(&body)).await?
    };
    let year = q
        .year
        .filter(|y| years.contains(y))
        .or_else(|| years.first().cloned())
        .unwrap_or_default();
    let mut items = Vec::new();
    if !body.is_empty() && !year.is_empty() {
        // Matching does not depend on the areas: any will do.
        let p = AnalysisParams {
            bodies: vec![body.clone()],
            year: year.clone(),
            local: Area {
                name: String::new(),
                lads: vec![],
            },
            wider: Area {
                name: String::new(),
                lads: vec![],
            },
            top_n: 1,
            baseline: None,
            imd: ImdChoice::Imd2019,
            sector: SectorBasis::ExpenseType,
            use_registers: false,
        };
        let geo = state.geo.get(store).await?;
        items = run(
            store,
            &state.payments,
            geo,
            &bodies_for(store, &p).await?,
            &p,
        )
        .await?
        .0
        .review;
    }
    let suppliers = store
        .proc_suppliers(&body)
        .await?
        .into_iter()
        .map(|s| (s.id, s.record.name))
        .collect();
    let decisions = store.match_decisions(Some(&body)).await?;
    let chrome = chrome(
        &state,
        &identity,
        "procurement",
        "Supplier matches to review",
    )
    .await?;
    render(&ReviewPage {
        chrome,
        body,
        bodies,
        year,
        items,
        suppliers,
        decisions,
        can_change: me.role.allows(levers_store::Role::Officer),
        done: q.done,
    })
}

pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let get = |k: &str| {
        form.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (body, name, year, choice) = (get("body"), get("name"), get("year"), get("choice"));
    if name.is_empty() || body.is_empty() {
        return Err(AppError::NotFound);
    }
    let supplier = match choice.as_str() {
        "none" => None,
        "other" => Some(
            get("other")
                .parse::<i64>()
                .map_err(|_| AppError::NotFound)?,
        ),
        c => Some(
            c.strip_prefix("s:")
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or(AppError::NotFound)?,
        ),
    };
    match state
        .store
        .decide_match(&actor(&me), &body, &name, supplier)
        .await
    {
        Ok(_) => {}
        Err(StoreError::NotFound(_) | StoreError::Conflict(_)) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!(
        "/procurement/review?body={}&year={}&done={}",
        url(&body),
        url(&year),
        url(&normalise_name(&name))
    ))
    .into_response())
}

// Exclusion rules.

#[derive(Template)]
#[template(path = "procurement/rules.html")]
pub struct RulesPage {
    pub chrome: Chrome,
    pub rules: Vec<ExclusionRule>,
    pub can_change: bool,
    pub saved: bool,
    pub errors: Vec<crate::templates::FieldError>,
}

impl RulesPage {
    pub fn fields(&self) -> &'static [RuleField] {
        &RuleField::ALL
    }
    pub fn has(&self, r: &ExclusionRule, f: &RuleField) -> bool {
        r.fields.contains(f)
    }
    pub fn keywords(&self, r: &ExclusionRule) -> String {
        r.keywords.join("\n")
    }
    pub fn types(&self, r: &ExclusionRule) -> String {
        r.supplier_types.join(", ")
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn rules(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let rules = state.store.exclusion_rules().await?;
    let chrome = chrome(&state, &identity, "procurement", "Exclusion rules").await?;
    render(&RulesPage {
        chrome,
        rules,
        can_change: me.role.allows(levers_store::Role::Officer),
        saved: q.saved.is_some(),
        errors: vec![],
    })
}

/// Rules from the form: `key_N`, `label_N`, `enabled_N`, `field_N` (repeated), `keywords_N`,
/// `types_N`, for N = 0.. (the last, blank, adds a rule when given a label and keywords).
pub fn rules_from_form(form: &[(String, String)]) -> Result<Vec<ExclusionRule>, String> {
    let mut by: std::collections::BTreeMap<usize, ExclusionRule> =
        std::collections::BTreeMap::new();
    for (k, v) in form {
        let Some((name, n)) = k.rsplit_once('_') else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        let r = by.entry(n).or_insert_with(|| ExclusionRule {
            key: String::new(),
            label: String::new(),
            enabled: false,
            fields: vec![],
            keywords: vec![],
            supplier_types: vec![],
        });
        match name {
            "key" => r.key = v.trim().to_string(),
            "label" => r.label = v.trim().to_string(),
            "enabled" => r.enabled = true,
            "field" => {
                if let Some(f) = RuleField::from_key(v) {
                    r.fields.push(f);
                }
            }
            "keywords" => {
                r.keywords = v
                    .lines()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            "types" => {
                r.supplier_types = v
                    .split(',')
                    .map(str::trim)
                    .filter(|s| matches!(*s, "public" | "individual"))
                    .map(str::to_string)
                    .collect()
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (n, mut r) in by {
        if r.label.is_empty() && r.keywords.is_empty() && r.key.is_empty() {
            continue;
        }
        if r.label.is_empty() {
            return Err(format!("Rule {} needs a name", n + 1));
        }
        if r.keywords.is_empty() && r.supplier_types.is_empty() {
            return Err(format!(
                "Rule \"{}\" needs at least one keyword or supplier type",
                r.label
            ));
        }
        if r.fields.is_empty() && !r.keywords.is_empty() {
            return Err(format!(
                "Rule \"{}\" needs at least one field to look in",
                r.label
            ));
        }
        if r.key.is_empty() {
            r.key = r
                .label
                .to_ascii_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
        }
        out.push(r);
    }
    Ok(out)
}

pub async fn save_rules(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let problem = match rules_from_form(&form) {
        Ok(rules) => match state.store.save_exclusion_rules(&actor(&me), &rules).await {
            Ok(()) => return Ok(Redirect::to("/procurement/rules?saved=1").into_response()),
            Err(StoreError::Conflict(m)) => m,
            Err(e) => return Err(e.into()),
        },
        Err(m) => m,
    };
    let rules = state.store.exclusion_rules().await?;
    let chrome = chrome(&state, &identity, "procurement", "Exclusion rules").await?;
    let page = RulesPage {
        chrome,
        rules,
        can_change: true,
        saved: false,
        errors: vec![crate::templates::FieldError::new("label_0", problem)],
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// Supplier records.

#[derive(Template)]
#[template(path = "procurement/suppliers.html")]
pub struct SuppliersPage {
    pub chrome: Chrome,
    pub body: String,
    pub bodies: Vec<String>,
    pub suppliers: Vec<levers_store::procurement::StoredSupplier>,
    pub imports: Vec<levers_store::procurement::SupplierImport>,
    pub can_change: bool,
    pub errors: Vec<crate::templates::FieldError>,
    pub result: Option<levers_spend::suppliers::SupplierFileReport>,
    pub max_mb: usize,
}

impl SuppliersPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        crate::templates::error_for(&self.errors, f)
    }
    pub fn kind(&self, s: &levers_store::procurement::StoredSupplier) -> &'static str {
        s.record.declared_type.map_or("–", |t| t.label())
    }
    pub fn when(&self, t: &i64) -> String {
        crate::templates::when(t)
    }
}

#[derive(Deserialize, Default)]
pub struct BodyQuery {
    body: Option<String>,
}

async fn suppliers_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    body: Option<String>,
    errors: Vec<crate::templates::FieldError>,
    result: Option<levers_spend::suppliers::SupplierFileReport>,
) -> Result<SuppliersPage, AppError> {
    let bodies = state.store.spend_bodies().await?;
    let chrome = chrome(state, identity, "procurement", "Supplier records").await?;
    let body = body
        .filter(|b| !b.is_empty())
        .or_else(|| bodies.first().cloned())
        .unwrap_or_else(|| chrome.council.clone());
    let suppliers = state.store.proc_suppliers(&body).await?;
    let imports = state
        .store
        .proc_supplier_imports()
        .await?
        .into_iter()
        .filter(|i| i.body == body)
        .take(10)
        .collect();
    Ok(SuppliersPage {
        chrome,
        body,
        bodies,
        suppliers,
        imports,
        can_change: me.role.allows(levers_store::Role::Officer),
        errors,
        result,
        max_mb: crate::upload::SUPPLIER_FILE_BYTES / 1_048_576,
    })
}

pub async fn suppliers(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<BodyQuery>,
) -> Result<Response, AppError> {
    render(&suppliers_page(&state, &identity, &me, q.body, vec![], None).await?)
}

pub async fn upload_suppliers(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    form: Multipart,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let up = crate::upload::read(form, "suppliers.csv", crate::upload::SUPPLIER_FILE_BYTES).await?;
    let body = up.field("body").to_string();
    let (file_name, data) = (up.file_name, up.bytes);
    use crate::templates::FieldError;
    let mut errors = Vec::new();
    if body.is_empty() || body.chars().count() > 120 {
        errors.push(FieldError::new(
            "body",
            "Enter the name of the body whose supplier records these are (120 characters or fewer)",
        ));
    }
    if data.is_empty() {
        errors.push(FieldError::new(
            "file",
            "Select the supplier (creditor) file: CSV, XLS or XLSX",
        ));
    }
    if errors.is_empty() {
        let name = file_name.clone();
        let bytes = data.clone();
        let read = tokio::task::spawn_blocking(move || {
            levers_spend::suppliers::read_suppliers(&name, &bytes, &[])
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        match read {
            Ok((recs, rep)) => {
                let sha = crate::spend::sha256_hex(&data);
                let rep_json =
                    serde_json::to_value(&rep).map_err(|e| AppError::Internal(e.into()))?;
                state
                    .store
                    .import_suppliers(&actor(&me), &body, &file_name, &sha, &recs, &rep_json)
                    .await?;
                return render(
                    &suppliers_page(&state, &identity, &me, Some(body), vec![], Some(rep)).await?,
                );
            }
            Err(e) => errors.push(FieldError::new("file", e.to_string())),
        }
    }
    let page = suppliers_page(&state, &identity, &me, Some(body), errors, None).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_from_the_form() {
        let f = |k: &str, v: &str| (k.to_string(), v.to_string());
        let form = vec![
            f("key_0", "levies"),
            f("label_0", "Levies"),
            f("enabled_0", "on"),
            f("field_0", "expense_type"),
            f("keywords_0", "levy\nprecept\n"),
            f("label_1", ""),
            f("keywords_1", ""),
            f("label_2", "Insurance"),
            f("field_2", "supplier_name"),
            f("keywords_2", "insurance"),
        ];
        let rules = rules_from_form(&form).unwrap();
        assert_eq!(rules.len(), 2);
        assert!(rules[0].enabled && rules[0].keywords == vec!["levy", "precept"]);
        assert_eq!(
            (rules[1].key.as_str(), rules[1].enabled),
            ("insurance", false)
        );
        assert!(
            rules_from_form(&[f("label_0", "X"), f("keywords_0", "y")])
                .unwrap_err()
                .contains("field")
        );
    }
}
