//! Admin uploads of geography (postcode directories, deprivation indices, area lookups, and GeoJSON
//! boundaries) and of official statistics (indicator files): each streamed to a temporary file,
//! imported by a background job (levers-app's `geo_import`, `place::boundaries` and `indicators`,
//! the same as the CLI's), and shown afterwards with its reconciliation.

use crate::auth::actor;
use crate::error::AppError;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError};
use crate::page::{chrome, render};
use crate::state::AppState;
use crate::upload::{self, FileUpload};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};

/// A rejected row of a stored import, as its report keeps it.
pub struct Rejected {
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// The rejections a dataset keeps (the first ones in full; all are counted).
fn rejected(v: &serde_json::Value) -> Vec<Rejected> {
    v.as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| Rejected {
                    line: r["line"].as_u64().unwrap_or(0),
                    field: r["field"].as_str().unwrap_or("").to_string(),
                    reason: r["reason"].as_str().unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn is_geojson(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".json") || n.ends_with(".geojson")
}

/// The checks both upload forms make before a job starts.
fn no_file(up: &FileUpload, field: &'static str, what: &str) -> Vec<FieldError> {
    if up.len == 0 {
        vec![FieldError::new(field, format!("Choose {what}"))]
    } else {
        vec![]
    }
}

/// Starts a geography import as a background job and answers with the job's page.
pub async fn upload_geography(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    form: Multipart,
) -> Result<Response, AppError> {
    let up = upload::read_to_file(form, "geography.csv", upload::GEOGRAPHY_FILE_BYTES).await?;
    let errors = no_file(&up, "geo-file", "a geography file: CSV, CSV.GZ or GeoJSON");
    if !errors.is_empty() {
        return super::pages::geography_page(&state, &identity, errors).await;
    }
    let (store, who, name) = (state.store.clone(), actor(&me), up.file_name.clone());
    let total = i64::try_from(up.len).ok();
    let job = levers_app::jobs::spawn(
        &state.store,
        levers_app::jobs::NewJob {
            kind: "geography",
            label: &up.file_name,
            owner_id: Some(me.id),
            unit: "bytes",
            total,
        },
        move |progress| async move {
            // The temporary file lives as long as the job and is removed with it.
            let temp = up.file;
            if is_geojson(&name) {
                let bytes = tokio::fs::read(&temp.path)
                    .await
                    .map_err(|e| format!("{name}: the upload could not be read: {e}"))?;
                let read = levers_app::place::boundaries::import_boundaries(
                    &store, &who, &name, bytes,
                )
                .await
                .map_err(|e| e.to_string())?;
                progress.set(up.len);
                let note = format!(
                    "Imported the boundaries in {name}: {} features, {} areas imported, {} skipped.",
                    read.features,
                    read.areas.len(),
                    read.skipped.len()
                );
                return Ok(format!(
                    "/admin/geography?imported={}",
                    form_urlencoded::byte_serialize(note.as_bytes()).collect::<String>()
                ));
            }
            let done = levers_app::geo_import::import_file(
                &store,
                &who,
                &temp.path,
                &name,
                progress.callback(),
            )
            .await
            .map_err(|e| e.to_string())?;
            Ok(format!("/admin/geography/datasets/{}", done.dataset.id))
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/jobs/{job}")).into_response())
}

/// Starts an indicator import as a background job and answers with the job's page.
pub async fn upload_indicators(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    form: Multipart,
) -> Result<Response, AppError> {
    let up = upload::read_to_file(form, "indicators.csv", upload::INDICATOR_FILE_BYTES).await?;
    let errors = no_file(&up, "indicator-file", "an indicator file (CSV)");
    if !errors.is_empty() {
        return super::pages::geography_page(&state, &identity, errors).await;
    }
    let (store, who, name) = (state.store.clone(), actor(&me), up.file_name.clone());
    let job = levers_app::jobs::spawn(
        &state.store,
        levers_app::jobs::NewJob {
            kind: "indicators",
            label: &up.file_name,
            owner_id: Some(me.id),
            unit: "steps",
            total: Some(2),
        },
        move |progress| async move {
            let temp = up.file;
            let bytes = tokio::fs::read(&temp.path)
                .await
                .map_err(|e| format!("{name}: the upload could not be read: {e}"))?;
            progress.set(1);
            let done = levers_app::indicators::import_file(&store, &who, &name, bytes)
                .await
                .map_err(|e| e.to_string())?;
            progress.set(2);
            Ok(format!("/admin/indicators/{}", done.file.id))
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/jobs/{job}")).into_response())
}

#[derive(Template)]
#[template(path = "admin/geography_result.html")]
pub struct GeographyResultPage {
    pub chrome: Chrome,
    pub d: levers_store::geo::GeoDataset,
    pub kind: String,
    pub rejected: Vec<Rejected>,
}

/// One imported geography file: what it was and every row accounted for.
pub async fn geography_result(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let d = state
        .store
        .geo_datasets()
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(AppError::NotFound)?;
    let kind = levers_geo::FileKind::from_name(&d.kind)
        .map_or(d.kind.clone(), |k| k.describe().to_string());
    let chrome = chrome(
        &state,
        &identity,
        "admin",
        &format!("Imported {}", d.file_name),
    )
    .await?;
    render(&GeographyResultPage {
        chrome,
        rejected: rejected(&d.rejections),
        kind,
        d,
    })
}

#[derive(Template)]
#[template(path = "admin/indicators_result.html")]
pub struct IndicatorsResultPage {
    pub chrome: Chrome,
    pub f: levers_store::places::indicators::IndicatorFile,
    pub rejected: Vec<Rejected>,
}

/// One imported indicator file with its reconciliation.
pub async fn indicators_result(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let f = levers_app::indicators::files(&state.store)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or(AppError::NotFound)?;
    let chrome = chrome(
        &state,
        &identity,
        "admin",
        &format!("Imported {}", f.file_name),
    )
    .await?;
    render(&IndicatorsResultPage {
        chrome,
        rejected: rejected(&f.rejections),
        f,
    })
}

crate::layout::timestamps!(GeographyResultPage, IndicatorsResultPage);
