//! Admin: the home council's settings: its name, its public address, the spending body that is the
//! council, and its own and wider areas chosen from the districts the loaded geography names.

use super::users::DoneQuery;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::Identity;
use crate::auth::actor;
use crate::error::AppError;
use crate::form::Form;
use crate::layout::Chrome;
use crate::layout::FieldError;
use crate::page::chrome;
use crate::page::render;
use crate::page::render_status;
use askama::Template;
use axum::extract::Query;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use levers_app::procurement::{LOCAL_LADS, LOCAL_NAME, WIDER_LADS, WIDER_NAME, parse_codes};
use levers_core::AreaKind;
use levers_store::settings::{COUNCIL_NAME, HOME_BODY, PUBLIC_URL};
use serde::Deserialize;

/// A district the settings page offers, and whether it is in the local and the wider area.
pub struct DistrictChoice {
    pub code: String,
    pub name: String,
    pub local: bool,
    pub wider: bool,
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    council_name: String,
    #[serde(default)]
    public_url: String,
    #[serde(default)]
    home_body: String,
    #[serde(default)]
    local: Vec<String>,
    #[serde(default)]
    local_name: String,
    #[serde(default)]
    wider: Vec<String>,
    #[serde(default)]
    wider_name: String,
}

async fn saved_form(state: &AppState) -> Result<SettingsForm, AppError> {
    let s = |k: &'static str| async move { state.store.setting(k).await.map(Option::unwrap_or_default) };
    let codes = |v: String| -> Vec<String> {
        parse_codes(&v)
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    Ok(SettingsForm {
        council_name: s(COUNCIL_NAME).await?,
        public_url: s(PUBLIC_URL).await?,
        home_body: s(HOME_BODY).await?,
        local: codes(s(LOCAL_LADS).await?),
        local_name: s(LOCAL_NAME).await?,
        wider: codes(s(WIDER_LADS).await?),
        wider_name: s(WIDER_NAME).await?,
    })
}

async fn page(
    state: &AppState,
    identity: &Identity,
    form: SettingsForm,
    errors: Vec<FieldError>,
    saved: bool,
) -> Result<SettingsPage, AppError> {
    let chrome = chrome(state, identity, "admin", "Settings").await?;
    let geo = state.geo.get(&state.store).await?;
    let mut districts: Vec<DistrictChoice> = geo
        .areas_of_kind(AreaKind::District)
        .into_iter()
        .map(|a| {
            let code = a.code.to_string();
            DistrictChoice {
                name: a.name.unwrap_or_else(|| code.clone()),
                local: form.local.contains(&code),
                wider: form.wider.contains(&code) || form.local.contains(&code),
                code,
            }
        })
        .collect();
    // Codes saved before the geography that names them was loaded stay visible and can be unticked.
    for c in form.local.iter().chain(&form.wider) {
        if !districts.iter().any(|d| &d.code == c) {
            districts.push(DistrictChoice {
                code: c.clone(),
                name: format!("{c} (not in the loaded geography)"),
                local: form.local.contains(c),
                wider: true,
            });
        }
    }
    let bodies = state.store.spend_bodies().await?;
    Ok(SettingsPage {
        chrome,
        council_name: form.council_name,
        public_url: form.public_url,
        home_body: form.home_body,
        bodies,
        districts,
        local_name: form.local_name,
        wider_name: form.wider_name,
        errors,
        saved,
    })
}

pub async fn settings(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let form = saved_form(&state).await?;
    render(&page(&state, &identity, form, vec![], q.done == "saved").await?)
}

/// Checks the form; the errors name each field.
fn check(form: &mut SettingsForm, known: &dyn Fn(&str) -> bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = form.council_name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("council_name", "Enter the council's name"));
    } else if name.chars().count() > 120 {
        errors.push(FieldError::new(
            "council_name",
            "The council's name must be 120 characters or fewer",
        ));
    }
    let url = form.public_url.trim().trim_end_matches('/').to_string();
    if !url.is_empty() {
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 200
            && !url.contains(char::is_whitespace)
            && url.split("://").nth(1).is_some_and(|h| !h.is_empty());
        if !ok {
            errors.push(FieldError::new(
                "public_url",
                "Enter the public address as a web address starting with https://, like https://levers.example.gov.uk",
            ));
        }
    }
    form.public_url = url;
    for (field, codes) in [("local", &form.local), ("wider", &form.wider)] {
        if let Some(bad) = codes.iter().find(|c| !known(c)) {
            errors.push(FieldError::new(
                field,
                format!("{bad} is not a district in the loaded geography: choose from the list"),
            ));
        }
    }
    if form.local.is_empty() && !form.wider.is_empty() {
        errors.push(FieldError::new(
            "local",
            "Choose the districts of the council's own area as well as the wider area",
        ));
    }
    for (field, n) in [
        ("local_name", &form.local_name),
        ("wider_name", &form.wider_name),
    ] {
        if n.trim().chars().count() > 80 {
            errors.push(FieldError::new(
                field,
                "An area's name must be 80 characters or fewer",
            ));
        }
    }
    errors
}

pub async fn save_settings(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(mut form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let geo = state.geo.get(&state.store).await?;
    let saved = saved_form(&state).await?;
    let known = |c: &str| {
        saved.local.iter().chain(&saved.wider).any(|s| s == c)
            || c.parse::<levers_core::AreaCode>()
                .is_ok_and(|a| a.kind() == AreaKind::District && geo.knows(&a))
    };
    let errors = check(&mut form, &known);
    if !errors.is_empty() {
        let p = page(&state, &identity, form, errors, false).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    // The wider area always includes the local one.
    let mut wider = form.local.clone();
    for c in &form.wider {
        if !wider.contains(c) {
            wider.push(c.clone());
        }
    }
    let single_name = |codes: &[String], given: &str| -> String {
        let given = given.trim();
        if !given.is_empty() || codes.len() != 1 {
            return given.to_string();
        }
        codes[0]
            .parse()
            .ok()
            .and_then(|c| geo.name(&c).map(str::to_string))
            .unwrap_or_default()
    };
    let local_name = single_name(&form.local, &form.local_name);
    let wider_name = single_name(&wider, &form.wider_name);
    let bodies = state.store.spend_bodies().await?;
    let home = if bodies.contains(&form.home_body) {
        form.home_body.clone()
    } else {
        String::new()
    };
    let a = actor(&me);
    let store = &state.store;
    store
        .set_setting(&a, COUNCIL_NAME, form.council_name.trim())
        .await?;
    store.set_setting(&a, PUBLIC_URL, &form.public_url).await?;
    store.set_setting(&a, HOME_BODY, &home).await?;
    store
        .set_setting(&a, LOCAL_LADS, &form.local.join(","))
        .await?;
    store.set_setting(&a, LOCAL_NAME, &local_name).await?;
    store.set_setting(&a, WIDER_LADS, &wider.join(",")).await?;
    store.set_setting(&a, WIDER_NAME, &wider_name).await?;
    Ok(Redirect::to("/admin/settings?done=saved").into_response())
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    pub council_name: String,
    pub public_url: String,
    pub home_body: String,
    pub bodies: Vec<String>,
    pub districts: Vec<DistrictChoice>,
    pub local_name: String,
    pub wider_name: String,
    pub errors: Vec<FieldError>,
    pub saved: bool,
}

crate::layout::field_errors!(SettingsPage);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_field_by_field() {
        let mut f = SettingsForm {
            council_name: " ".into(),
            public_url: "levers.example".into(),
            wider: vec!["E07000001".into()],
            ..Default::default()
        };
        let errs = check(&mut f, &|c| c == "E07000001");
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["council_name", "public_url", "local"]);
        let mut ok = SettingsForm {
            council_name: "Harbour Council".into(),
            public_url: "https://levers.example.gov.uk/".into(),
            local: vec!["E07000001".into()],
            ..Default::default()
        };
        assert!(check(&mut ok, &|c| c == "E07000001").is_empty());
        assert_eq!(ok.public_url, "https://levers.example.gov.uk");
    }
}
