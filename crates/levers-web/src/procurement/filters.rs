//! The dashboard's filters (query string, form, defaults from settings) and the analysis they ask for,
//! shared by the dashboard, the downloads and the drill-down pages.

use crate::AppState;
use crate::error::AppError;
use levers_app::procurement::{
    AnalysisParams, LOCAL_LADS, LOCAL_NAME, WIDER_LADS, WIDER_NAME, parse_codes, run,
};
pub use levers_core::AreaCode;
use levers_present::procurement_report::{ReportView, url};
use levers_spend::analysis::Area;
use levers_spend::analysis::ImdChoice;
use levers_spend::analysis::Payments;
use levers_spend::analysis::Report;
use levers_spend::analysis::SectorBasis;
use serde::Deserialize;
use std::sync::Arc;

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
    /// Query values that could not be read, by field: named on the page rather than ignored.
    #[serde(skip)]
    pub problems: Vec<(&'static str, String)>,
}

/// Reads repeated `body=` keys (serde_urlencoded cannot collect them into a Vec).
pub(super) fn parse_filters(raw: Option<&str>) -> Filters {
    let mut f = Filters::default();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let v = v.trim().to_string();
        match k.as_ref() {
            "body" if !v.is_empty() => f.body.push(v),
            "year" if !v.is_empty() => f.year = Some(v),
            "baseline" if !v.is_empty() => f.baseline = Some(v),
            "top" => match v.parse::<usize>() {
                Ok(n) if n >= 1 => f.top = Some(n),
                _ if v.is_empty() => {}
                _ => f.problems.push((
                    "top",
                    format!("Top suppliers must be a whole number of 1 or more, not \"{v}\""),
                )),
            },
            "local" => f.local = Some(v),
            "local_name" => f.local_name = Some(v),
            "wider" => f.wider = Some(v),
            "wider_name" => f.wider_name = Some(v),
            "sector_basis" => f.sector_basis = Some(v),
            "sector" => f.sector = Some(v),
            "unit" => match v.parse() {
                Ok(n) => f.unit = Some(n),
                Err(_) => f
                    .problems
                    .push(("unit", format!("\"{v}\" is not a supplier number"))),
            },
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
    pub errors: Vec<crate::layout::FieldError>,
    /// No local area was asked for and none is set: the page says where to set it.
    pub areas_unset: bool,
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

pub(super) async fn filter_form(
    state: &AppState,
    f: &Filters,
) -> Result<(FilterForm, Option<AnalysisParams>), AppError> {
    let store = &state.store;
    let all_bodies = store.spend_bodies().await?;
    let chosen: Vec<String> = if f.body.is_empty() {
        levers_app::procurement::home_body(store, &all_bodies)
            .await?
            .into_iter()
            .collect()
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
    let mut problems = f.problems.clone();
    for b in &f.body {
        if !all_bodies.contains(b) {
            problems.push(("body", format!("No spending is imported for \"{b}\"")));
        }
    }
    for (field, given) in [("year", &f.year), ("baseline", &f.baseline)] {
        if let Some(y) = given
            && !years.is_empty()
            && !years.contains(y)
        {
            problems.push((
                field,
                format!(
                    "There is no spending for the year \"{y}\": choose one of {}",
                    years.join(", ")
                ),
            ));
        }
    }
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
    let baseline = f
        .baseline
        .clone()
        .filter(|y| years.contains(y))
        .unwrap_or_default();
    let mut form = FilterForm {
        bodies: all_bodies
            .iter()
            .map(|b| (b.clone(), chosen.contains(b)))
            .collect(),
        years,
        year: year.clone(),
        baseline,
        top: f.top.unwrap_or(300).clamp(1, 100_000),
        local,
        local_name,
        wider,
        wider_name,
        sector_basis: f
            .sector_basis
            .clone()
            .filter(|s| s == "supplier" || s == "proclass")
            .unwrap_or_else(|| "expense_type".into()),
        errors: Vec::new(),
        areas_unset: false,
    };
    use crate::layout::FieldError;
    for (field, p) in problems {
        form.errors.push(FieldError::new(field, p));
    }
    let local_codes = parse_codes(&form.local)
        .map_err(|e| form.errors.push(FieldError::new("local", e)))
        .ok();
    let wider_codes = parse_codes(&form.wider)
        .map_err(|e| form.errors.push(FieldError::new("wider", e)))
        .ok();
    if local_codes.as_ref().is_some_and(Vec::is_empty) {
        if f.local.is_none() {
            // Nothing asked for and nothing set: the page explains where to set the areas.
            form.areas_unset = true;
        } else {
            form.errors.push(FieldError::new(
                "local",
                "Enter the district codes of the local area, like E08000009",
            ));
        }
    }
    if form.areas_unset {
        return Ok((form, None));
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
        sector: match form.sector_basis.as_str() {
            "supplier" => SectorBasis::Supplier,
            "proclass" => SectorBasis::Proclass,
            _ => SectorBasis::ExpenseType,
        },
        use_registers: true,
    };
    Ok((form, Some(params)))
}

pub(super) async fn report_for(
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
        &state.payments.bodies(&state.store, &p).await?,
        &p,
    )
    .await?;
    Ok((
        f,
        ReportView::new(report, &geo, &[], form.query()),
        payments,
    ))
}

pub(super) fn file_stem(r: &Report) -> String {
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
