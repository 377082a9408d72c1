//! The exclusion rules: what is not influenceable spend, read and changed by officers.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::Identity;
use crate::auth::actor;
use crate::auth::require_officer;
use crate::error::AppError;
use crate::layout::Chrome;
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
use levers_spend::classify::ExclusionRule;
use levers_spend::classify::RuleField;
use levers_store::StoreError;
use serde::Deserialize;

// Exclusion rules.

#[derive(Template)]
#[template(path = "procurement/rules.html")]
pub struct RulesPage {
    pub chrome: Chrome,
    pub rules: Vec<ExclusionRule>,
    pub can_change: bool,
    pub saved: bool,
    pub errors: Vec<crate::layout::FieldError>,
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
        errors: vec![crate::layout::FieldError::new("label_0", problem)],
    };
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
