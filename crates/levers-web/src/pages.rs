//! The public and signed-in pages: home, sign-in and out, password change, section pages, 404, assets.

use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use levers_store::{Actor, NewAudit};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self, ClientAddr, CurrentUser, Identity};
use crate::error::AppError;
use crate::form::Form;
pub(crate) use crate::page::{chrome, render, render_status};
use crate::templates::{FieldError, HomePage, PasswordPage, SectionCard, SectionPage, SignInPage};

struct Section {
    /// Pages of the section that already work: (href, label, description).
    links: &'static [(&'static str, &'static str, &'static str)],
    key: &'static str,
    href: &'static str,
    title: &'static str,
    summary: &'static str,
    coming: &'static [&'static str],
}

const SECTIONS: &[Section] = &[
    Section {
        links: &[
            (
                "/procurement/upload",
                "Upload a spending file",
                "Check any council's \"spending over £500\" file, correct its columns, and import it.",
            ),
            (
                "/procurement/imports",
                "Spend imports",
                "Every file imported, how each row was accounted for, and undo.",
            ),
            (
                "/procurement/analysis",
                "Where the money goes",
                "The community wealth building report: local, wider-area, deprived-area, SME and VCSE shares, leakage by sector, opportunities, year on year.",
            ),
            (
                "/procurement/suppliers",
                "Supplier records",
                "Import the council's supplier (creditor) file: postcodes, branches, company and charity numbers, types.",
            ),
            (
                "/procurement/review",
                "Supplier matches to review",
                "Names on payments close to a supplier record: accept, reject or choose another.",
            ),
            (
                "/procurement/rules",
                "Exclusion rules",
                "What counts as influenceable spend: levies, pensions, payroll and the rest, editable.",
            ),
            (
                "/procurement/lm3",
                "Local Multiplier 3 (LM3)",
                "How much of a contract's value goes round the local economy: from figures or a staff and supplier survey.",
            ),
        ],
        key: "procurement",
        href: "/procurement",
        title: "Procurement",
        summary: "Where the council's spend goes: how much stays in the borough, reaches its most deprived neighbourhoods, small firms and the voluntary sector, and what leaks away.",
        coming: &[
            "A contract pipeline matched to local suppliers",
            "The local multiplier (LM3) from supplier surveys in the web app (the CLI has it: levers spend lm3)",
        ],
    },
    Section {
        links: &[
            (
                "/appraisals",
                "Appraisals",
                "Outcomes, public value and who pays and who benefits, for each intervention of a community budget",
            ),
            (
                "/pooled-budgets",
                "Pooled budgets",
                "Partners' contributions, spend against plan, and each partner's share of the benefits",
            ),
            (
                "/appraisals/unit-costs",
                "Unit cost library",
                "Fiscal, economic and social values per outcome, from the Unit Cost Database or your own",
            ),
            (
                "/community-budgets",
                "Community budget votes",
                "Residents propose ideas, vote with single-use codes and see a fair, explained result",
            ),
        ],
        key: "community-budgets",
        href: "/community-budgets",
        title: "Community budgets",
        summary: "Residents propose and vote on how a budget is spent, with fair allocation rules anyone can check, and appraisals that put outcomes and social value beside savings.",
        coming: &[
            "Participatory budgeting: proposals, single-use voting codes, accessible ballots, explained results",
            "Fair allocation rules verified against the research reference tools",
        ],
    },
    Section {
        links: &[
            (
                "/co-production/register",
                "Co-production register",
                "Every commissioning activity and, at each stage, how people were involved, with CSV import and export.",
            ),
            (
                "/co-production/coverage",
                "Coverage",
                "How much commissioning is co-produced at two or more stages and at all four, by count and £ value, by directorate, band and quarter.",
            ),
            (
                "/co-production/principles",
                "Principles self-assessment",
                "Each directorate scored against the six features of co-production, with its history.",
            ),
            (
                "/co-production/participants",
                "Participants",
                "The people who take part: rewards, benefits advice, equality totals, subject access and erasure.",
            ),
            (
                "/co-production/credits",
                "Time credits",
                "Credits issued for participation, spent at partner venues and gifted to the community pot; statements and reversals.",
            ),
        ],
        key: "co-production",
        href: "/co-production",
        title: "Co-production",
        summary: "A register of how residents, including people with lived experience of poverty, shape every commissioning activity at every stage, with time credits to value their part.",
        coming: &[
            "Each activity linked to the joined-up strategy's objectives and the places it serves",
            "Co-production shown beside deprivation on the strategy's place profiles",
        ],
    },
    Section {
        links: &[(
            "/places",
            "Places",
            "Any postcode or area: where it is and how deprived its neighbourhoods are.",
        )],
        key: "strategy",
        href: "/strategy",
        title: "Strategy",
        summary: "One view of the place: deprivation and poverty indicators by ward and neighbourhood, the council's objectives, and where its spend, budgets and co-production actually land.",
        coming: &[
            "Place profiles by ward and neighbourhood from the Indices of Deprivation and local indicators",
            "Objectives with targets and owners, linked to the levers that serve them",
            "Where spend, community budgets and co-production land relative to deprivation",
        ],
    },
];

/// The working pages of a section (href, label, description), for sections with their own index.
pub(crate) fn section_links(key: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    SECTIONS
        .iter()
        .find(|s| s.key == key)
        .map_or(&[], |s| s.links)
}

pub async fn home(State(state): State<AppState>, identity: Identity) -> Result<Response, AppError> {
    let chrome = chrome(&state, &identity, "", "Home").await?;
    let cards = SECTIONS
        .iter()
        .map(|s| SectionCard {
            href: s.href,
            title: s.title,
            summary: s.summary,
            ready: !s.links.is_empty(),
        })
        .collect();
    render(&HomePage { chrome, cards })
}

pub async fn section(
    State(state): State<AppState>,
    identity: Identity,
    uri: Uri,
) -> Result<Response, AppError> {
    let s = SECTIONS
        .iter()
        .find(|s| s.href == uri.path())
        .ok_or(AppError::NotFound)?;
    let chrome = chrome(&state, &identity, s.key, s.title).await?;
    render(&SectionPage {
        chrome,
        heading: s.title,
        lead: s.summary,
        coming: s.coming,
        links: s.links,
    })
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    signed_out: Option<String>,
}

/// Only same-site paths are followed after sign-in (no open redirects).
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

pub async fn sign_in_form(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<SignInQuery>,
) -> Result<Response, AppError> {
    if identity.user().is_some() {
        return Ok(Redirect::to(safe_next(&q.next)).into_response());
    }
    let chrome = chrome(&state, &identity, "", "Sign in").await?;
    render(&SignInPage {
        chrome,
        email: String::new(),
        next: q.next,
        errors: vec![],
        signed_out: q.signed_out.is_some(),
    })
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    identity: Identity,
    axum::Extension(ClientAddr(addr)): axum::Extension<ClientAddr>,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let email = levers_store::users::normalise_email(&form.email);
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push(FieldError::new("email", "Enter your email address"));
    }
    if form.password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    }
    let mut status = StatusCode::OK;
    if errors.is_empty() {
        let account_key = format!("account:{email}");
        let addr_key = format!("addr:{addr}");
        let window = auth::THROTTLE_WINDOW_SECONDS;
        let throttled = state
            .store
            .recent_sign_in_failures(&account_key, window)
            .await?
            >= auth::MAX_ACCOUNT_FAILURES
            || state
                .store
                .recent_sign_in_failures(&addr_key, window)
                .await?
                >= auth::MAX_ADDRESS_FAILURES;
        if throttled {
            status = StatusCode::TOO_MANY_REQUESTS;
            errors.push(FieldError::new(
                "email",
                "There have been too many failed attempts to sign in. Wait 15 minutes and try again",
            ));
        } else {
            let user = state.store.user_by_email(&email).await?;
            let ok = match &user {
                Some(u) => auth::verify_password(&form.password, &u.password_hash) && !u.disabled,
                None => {
                    auth::verify_dummy(&form.password);
                    false
                }
            };
            match (ok, user) {
                (true, Some(user)) => {
                    state.store.clear_sign_in_failures(&account_key).await?;
                    let token = auth::random_token();
                    let csrf = auth::random_token();
                    state
                        .store
                        .create_session(
                            &auth::token_hash(&token),
                            user.id,
                            &csrf,
                            state.config.session_ttl_seconds,
                        )
                        .await?;
                    let target = if user.must_change_password {
                        "/account/password"
                    } else {
                        safe_next(&form.next)
                    };
                    let secure = state.config.secure_cookies;
                    let mut resp = Redirect::to(target).into_response();
                    resp.headers_mut().append(
                        header::SET_COOKIE,
                        auth::set_cookie(auth::session_cookie_name(secure), &token, secure, None),
                    );
                    return Ok(resp);
                }
                _ => {
                    state
                        .store
                        .record_sign_in_failure(&[account_key.clone(), addr_key])
                        .await?;
                    if state
                        .store
                        .recent_sign_in_failures(&account_key, window)
                        .await?
                        == auth::MAX_ACCOUNT_FAILURES
                    {
                        state
                            .store
                            .audit(
                                &Actor::system("sign-in"),
                                NewAudit::new("auth.lockout", "auth", &email).after(
                                    serde_json::json!({"address": addr, "minutes": window / 60}),
                                ),
                            )
                            .await?;
                    }
                    status = StatusCode::UNAUTHORIZED;
                    errors.push(FieldError::new(
                        "email",
                        "Enter a correct email address and password",
                    ));
                }
            }
        }
    }
    let chrome = chrome(&state, &identity, "", "Sign in").await?;
    render_status(
        status,
        &SignInPage {
            chrome,
            email: form.email,
            next: form.next,
            errors,
            signed_out: false,
        },
    )
}

pub async fn sign_out(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, AppError> {
    if let Identity::Session { session, .. } = &identity {
        state.store.delete_session(&session.token_hash).await?;
    }
    let secure = state.config.secure_cookies;
    let mut resp = Redirect::to("/sign-in?signed_out=1").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(auth::session_cookie_name(secure), "", secure, Some(0)),
    );
    Ok(resp)
}

pub async fn password_form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    let chrome = chrome(&state, &identity, "", "Change your password").await?;
    render(&PasswordPage {
        chrome,
        errors: vec![],
        forced: user.must_change_password,
        changed: false,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(user): CurrentUser,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let mut errors = Vec::new();
    if form.current.is_empty() {
        errors.push(FieldError::new("current", "Enter your current password"));
    } else if !auth::verify_password(&form.current, &user.password_hash) {
        errors.push(FieldError::new(
            "current",
            "Your current password is not correct",
        ));
    }
    if let Some(problem) = auth::password_problem(&form.new, &user.email) {
        errors.push(FieldError::new("new", problem));
    } else if form.new == form.current {
        errors.push(FieldError::new(
            "new",
            "Choose a password different from your current one",
        ));
    }
    if errors.is_empty() && form.confirm != form.new {
        errors.push(FieldError::new(
            "confirm",
            "The passwords do not match: enter the same new password twice",
        ));
    }
    let changed = errors.is_empty();
    if changed {
        let hash = auth::hash_password(&form.new)?;
        let keep = match &identity {
            Identity::Session { session, .. } => Some(session.token_hash.as_str()),
            _ => None,
        };
        state
            .store
            .set_password(
                &Actor::user(user.id, &user.email),
                user.id,
                &hash,
                false,
                keep,
            )
            .await?;
    }
    let chrome = chrome(&state, &identity, "", "Change your password").await?;
    let status = if changed {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &PasswordPage {
            chrome,
            errors,
            forced: !changed && user.must_change_password,
            changed,
        },
    )
}

pub async fn not_found(State(state): State<AppState>, identity: Identity, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return AppError::NotFound.json();
    }
    match chrome(&state, &identity, "", "Page not found").await {
        Ok(c) => AppError::NotFound.page(Some(c)),
        Err(e) => e.into_response(),
    }
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/levers.css"),
    )
        .into_response()
}

pub async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../assets/favicon.svg"),
    )
        .into_response()
}

/// Headers on every response: a strict content security policy (no scripts at all, no framing),
/// no MIME sniffing, no referrer leaks, and no caching of pages that may show personal data.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/") || req.uri().path() == "/favicon.ico";
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !is_asset && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/admin"), "/admin");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next(""), "/");
    }
}
